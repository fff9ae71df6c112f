package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.JointContrastiveAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.loss.CrossEntropyLoss;
import io.robustcl.ml.loss.NtXentLoss;
import io.robustcl.ml.loss.SupConLoss;
import io.robustcl.ml.model.Network;
import java.util.List;

/**
 * ASCL (Li et al., Machine Learning 2022), eq. 10: {@code L = L_AT + lambda1 L_CL + lambda2 L_ASCL}
 * with an ensemble of attacks (its section 3.2.2):
 * <ul>
 *   <li>L_AT (eq. 3): CE of l(f(x + delta_ce)) on the un-augmented x, delta_ce from PGD on that
 *       cross-entropy (the label-based attack);
 *   <li>L_CL (eq. 5): NT-Xent between t(x) + delta_i and t'(x) + delta_j, both perturbations found
 *       jointly by PGD on that same NT-Xent (the label-free attack, {@link JointContrastiveAttack});
 *   <li>L_ASCL (eq. 9): SupCon whose anchors are the clean views t(x) and whose positives are the
 *       adversarial x + delta of the same class, delta maximising that loss
 *       ({@link SupConLoss#adversarialPositivesPerAnchor}).
 * </ul>
 * With {@link Settings#separateBn} (ASCL table 8, "separated BN") every adversarial input goes
 * through the adversarial batch norms and the clean views through the clean ones; the head l is
 * therefore trained on adversarial-BN features only, which is why the downstream stages pick the
 * adversarial branch of such an encoder by default ({@link Network#withBatchNorm}).
 *
 * <p>{@link Generation} is table 6's ablation of where the adversarial inputs come from; a weight of 0
 * drops its term and its attack (table 5's ablation of the loss components).
 */
public final class AsclTraining implements TrainingMethod {

  /**
   * ASCL table 6. ENSEMBLE is the method (each term with its own attack). LABEL_FREE: every
   * adversarial input comes from a contrastive attack without labels: the joint eq. 5 attack for
   * L_CL's views, and for L_AT and L_ASCL the instance-wise NT-Xent attack on x against t(x) (the
   * paper defines the variant in one sentence; this is our reading of it). The table's label-based
   * row needs no mode: its numbers are table 5's "AT + Sup CL" (lambda1 = 0), whose attacks all use
   * labels.
   */
  public enum Generation { ENSEMBLE, LABEL_FREE }

  /** ASCL defaults: PGD eps 8/255 step 2/255 (10 steps), lambda1 0.5, lambda2 0.2, tau 0.5. */
  public record Settings(PgdAttack attack, double lambda1, double lambda2, double tau, boolean separateBn,
      Generation generation) {
    public Settings(PgdAttack attack, double lambda1, double lambda2, double tau, boolean separateBn) {
      this(attack, lambda1, lambda2, tau, separateBn, Generation.ENSEMBLE);
    }

    public static Settings paper() {
      return new Settings(PgdAttack.linf(8.0 / 255, 2.0 / 255, 10), 0.5, 0.2, 0.5, false);
    }
  }

  private final Network network;
  private final ImageTransform augmentation;
  private final Settings settings;
  private final JointContrastiveAttack jointAttack;
  private final InstanceWiseAttack instanceWise;
  private final List<NDArray> parameterArrays;
  private final CrossEntropyLoss ce = new CrossEntropyLoss();
  private final NtXentLoss ntXent;
  private final SupConLoss supCon;

  public AsclTraining(Network network, ImageTransform augmentation, Settings settings) {
    if (network.projector() == null || network.head() == null) {
      throw new IllegalArgumentException("method ascl needs a network with a projector and a linear head");
    }
    if (settings.separateBn() && !network.spec().encoder().dualBn()) {
      throw new IllegalArgumentException("ascl: separateBn needs an encoder with dual batch norm (encoder dualBn=true)");
    }
    this.network = network;
    this.augmentation = augmentation;
    this.settings = settings;
    this.jointAttack = new JointContrastiveAttack(settings.attack(), settings.tau());
    this.instanceWise = new InstanceWiseAttack(settings.attack(), InstanceWiseAttack.Loss.CONTRASTIVE, settings.tau());
    this.parameterArrays = FrozenParameters.arraysOf(network.parameters());
    this.ntXent = new NtXentLoss(settings.tau());
    this.supCon = new SupConLoss(settings.tau());
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    ParameterStore ps = ctx.parameters();
    boolean advBn = settings.separateBn();
    NDArray x = batch.images();
    NDArray y = batch.labels();
    NDArray t1 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t(x)", augmentation.apply(x, ctx.random()));
    NDArray t2 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t'(x)", augmentation.apply(x, ctx.random()));
    Generation g = settings.generation();
    boolean withCl = settings.lambda1() > 0;
    boolean withAscl = settings.lambda2() > 0;

    NDArray xAt = ctx.checked(StepChecks.Phase.ATTACK, g == Generation.LABEL_FREE
        ? "instance-wise NT-Xent PGD on x (L_AT)" : "PGD on the cross-entropy (L_AT)",
        g == Generation.LABEL_FREE ? labelFreeOnX(ctx, x, t1) : labelBased(ctx, x, y));
    NDArray views = null;
    if (withCl) {
      views = ctx.checked(StepChecks.Phase.ATTACK, "joint NT-Xent PGD on t(x), t'(x) (L_CL)", jointAttack.perturb(
          Views.stack(t1, t2), in -> network.projection(ps, in, false, advBn), parameterArrays, ctx.random()));
    }
    NDArray xAscl = null;
    if (withAscl) {
      if (g == Generation.LABEL_FREE) {
        xAscl = xAt;
      } else {
        // eq. 9's inner maximisation: the clean anchors' embeddings are fixed, x + delta moves
        NDArray anchors = network.projection(ps, t1, false).stopGradient();
        xAscl = ctx.checked(StepChecks.Phase.ATTACK, "PGD on SupCon eq. 9 (L_ASCL)", settings.attack().perturb(x,
            in -> supCon.adversarialPositivesPerAnchor(anchors, network.projection(ps, in, false, advBn), y),
            parameterArrays, ctx.random()));
      }
    }
    NDArray clViews = views;
    NDArray asclInput = xAscl;
    return () -> {
      NDArray logits = ctx.checked(StepChecks.Phase.FORWARD, "l(f(x_adv))", network.logits(ps, xAt, true, advBn));
      NDArray loss = ctx.checked(StepChecks.Phase.LOSS, "L_AT cross-entropy", ce.perSample(logits, y)).mean();
      if (clViews != null) {
        NDArray z = ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of the adversarial views",
            network.projection(ps, clViews, true, advBn));
        NDArray cl = ntXent.reduce(ctx.checked(StepChecks.Phase.LOSS, "L_CL NT-Xent", ntXent.perAnchor(z, 2)));
        loss = loss.add(DeviceScalars.uncounted().mul(cl, settings.lambda1()));
      }
      if (asclInput != null) {
        NDArray anchors = ctx.checked(StepChecks.Phase.FORWARD, "g(f(t(x)))", network.projection(ps, t1, true));
        NDArray adversarial = ctx.checked(StepChecks.Phase.FORWARD, "g(f(x_adv)) (L_ASCL)",
            network.projection(ps, asclInput, true, advBn));
        NDArray ascl = ctx.checked(StepChecks.Phase.LOSS, "L_ASCL SupCon eq. 9",
            supCon.adversarialPositivesPerAnchor(anchors, adversarial, y)).mean();
        loss = loss.add(DeviceScalars.uncounted().mul(ascl, settings.lambda2()));
      }
      return loss;
    };
  }

  /** PGD on the cross-entropy of l(f(.)) with the true labels. */
  private NDArray labelBased(StepContext ctx, NDArray input, NDArray y) {
    ParameterStore ps = ctx.parameters();
    return settings.attack().perturb(input, new ClassificationObjective(
        in -> network.logits(ps, in, false, settings.separateBn()), y, network.spec().classes()),
        parameterArrays, ctx.random());
  }

  /** The instance-wise NT-Xent attack on x against the view t(x) (no labels). */
  private NDArray labelFreeOnX(StepContext ctx, NDArray x, NDArray view) {
    ParameterStore ps = ctx.parameters();
    return instanceWise.perturb(x, view, in -> network.projection(ps, in, false, settings.separateBn()),
        parameterArrays, ctx.random());
  }
}
