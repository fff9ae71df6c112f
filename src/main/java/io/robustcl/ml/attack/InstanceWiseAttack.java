package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.robustcl.ml.loss.FeatureDistanceLoss;
import io.robustcl.ml.loss.NtXentLoss;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * The label-free instance-wise attack of RoCL (eq. 4) and UPAT (eq. 3): PGD (l_inf in the papers)
 * on a view t(x) that maximises a loss between the embedding z_adv = g(f(t(x)_adv)) and the
 * embedding z' = g(f(target)) of the target view of the same instance:
 *
 * <pre>
 *   t(x)^{i+1} = Proj_{B(t(x), eps)}( t(x)^i + alpha sign(grad L(g(f(t(x)^i)), g(f(target)))) )
 * </pre>
 *
 * Loss types (RoCL table 7, UPAT table 5) follow RoCL's public code (src/attack_lib.py,
 * {@code RepresentationAdv.get_loss}, loss_type sim / mse / cos / l1): {@link Loss#CONTRASTIVE} is
 * NT-Xent over the stacked (z_adv, z') pairs, the rest of the batch being the negatives {t(x)_neg}
 * (RoCL's L_con(t(x)_adv, {t'(x)}, {t(x)_neg})); {@link Loss#MSE} is torch's mse_loss, {@link Loss#COSINE}
 * {@code 1 - cos(z_adv, z')} and {@link Loss#L1} (Manhattan) torch's l1_loss, per pair. The code's attack
 * maximises each (for cosine: it drives the similarity down); the training regulariser built on the same
 * loss type then <em>minimises</em> it (for cosine: maximises the similarity), see RoclTraining. The
 * target (RoCL table 5, UPAT table 4) is chosen by the caller with {@link View#select}: the original x,
 * the attacked view t(x) itself or the other view t'(x). The target embeddings carry no gradient and
 * are computed once.
 */
public final class InstanceWiseAttack {

    /** The loss maximised between the attacked view's and the target's embeddings. */
    public enum Loss {
        CONTRASTIVE,
        MSE,
        COSINE,
        L1
    }

    /**
     * One of the three images of an instance that the ablations choose between (RoCL table 5, UPAT
     * table 4): the original x, the view t(x) or the other view t'(x). Used both for the attacked
     * image and for the target whose embedding it is pushed away from.
     */
    public enum View {
        X,
        T,
        T_PRIME;

        /** @return x, t(x) or t'(x) */
        public NDArray select(NDArray original, NDArray view, NDArray otherView) {
            return switch (this) {
                case X -> original;
                case T -> view;
                case T_PRIME -> otherView;
            };
        }

        /** Parses {@code x}, {@code t} or {@code t'} (the stages' spelling). */
        public static View parse(String text) {
            return switch (text) {
                case "x" -> X;
                case "t" -> T;
                case "t'" -> T_PRIME;
                default -> throw new IllegalArgumentException("unknown view '" + text + "'; use x, t or t'");
            };
        }
    }

    private final Attack attack;
    private final Loss loss;
    private final double tau;

    /**
     * @param attack the search, usually {@code PgdAttack.linf(0.0314, 0.007, 7)} (RoCL) or
     *     {@code PgdAttack.linf(0.03, 2/256, k)} (UPAT)
     * @param loss the attack loss
     * @param tau NT-Xent temperature (used by CONTRASTIVE only), > 0
     */
    public InstanceWiseAttack(Attack attack, Loss loss, double tau) {
        this.attack = attack;
        this.loss = loss;
        this.tau = tau;
        if (!(tau > 0)) {
            throw new IllegalArgumentException("instance-wise attack: tau must be > 0, got " + tau);
        }
    }

    /**
     * @param view the attacked view t(x) (N, C, H, W) in [0,1]
     * @param target the target images (same shape), see {@link View}
     * @param embedding z = g(f(.)) in inference mode, e.g. {@code x -> network.projection(store, x, false)}
     * @param parameters the model's parameter arrays (gradients off during the attack)
     * @param random the source of the random start
     * @return t(x)_adv, attached to view's manager
     */
    public NDArray perturb(NDArray view, NDArray target, UnaryOperator<NDArray> embedding, Iterable<NDArray> parameters,
            RandomGenerator random) {
        if (!view.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("instance-wise attack: view " + view.getShape()
                    + " and target " + target.getShape() + " must have the same shape");
        }
        try (NDManager scope = view.getManager().newSubManager();
                FrozenParameters frozen = FrozenParameters.freeze(parameters)) {
            target.tempAttach(scope);
            NDArray targetEmbedding = embedding.apply(target).stopGradient();
            targetEmbedding.attach(scope);
            return attack.perturb(view, objective(targetEmbedding, embedding), parameters, random);
        }
    }

    /** The per-sample objective against fixed target embeddings z' (N, d). */
    public AttackObjective objective(NDArray targetEmbedding, UnaryOperator<NDArray> embedding) {
        return input -> perPair(embedding.apply(input), targetEmbedding);
    }

    private NDArray perPair(NDArray adversarial, NDArray target) {
        return switch (loss) {
            case CONTRASTIVE -> new NtXentLoss(tau)
                    .perInstance(NDArrays.concat(new NDList(adversarial, target)), 2);
            case MSE -> new FeatureDistanceLoss(FeatureDistanceLoss.Metric.MSE).perSample(adversarial, target);
            case COSINE -> new FeatureDistanceLoss(FeatureDistanceLoss.Metric.COSINE).perSample(adversarial, target);
            case L1 -> new FeatureDistanceLoss(FeatureDistanceLoss.Metric.L1).perSample(adversarial, target);
        };
    }
}
