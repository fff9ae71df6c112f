package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.loss.NtXentLoss;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * The label-free attack on a contrastive pair of ASCL eq. 5 and ACL (Jiang et al. 2020, its public
 * {@code PGD_contrastive}): both views are perturbed at once, maximising
 * {@code l_CL(t(x) + delta, t'(x) + delta')} over (delta, delta') jointly, each in its own ball. The
 * two views go in stacked (2N, C, H, W), view-major, and come out stacked; the objective is NT-Xent
 * over g(f(.)) of the perturbed stack, the rest of the batch the negatives. Unlike the instance-wise
 * attack of RoCL, neither view is held fixed.
 *
 * @param attack the search, e.g. PGD l_inf 8/255 step 2/255 (ASCL: 10 steps; ACL: 5)
 * @param tau NT-Xent temperature
 */
public record JointContrastiveAttack(Attack attack, double tau) {

    public JointContrastiveAttack {
        if (!(tau > 0)) {
            throw new IllegalArgumentException("joint contrastive attack: tau must be > 0, got " + tau);
        }
    }

    /**
     * @param views the two views stacked (2N, C, H, W) in [0,1]
     * @param embedding z = g(f(.)) in inference mode, through the adversarial batch norms when dual
     * @return the perturbed stack (2N, C, H, W)
     */
    public NDArray perturb(NDArray views, UnaryOperator<NDArray> embedding, Iterable<NDArray> parameters,
            RandomGenerator random) {
        if (views.getShape().get(0) % 2 != 0) {
            throw new IllegalArgumentException("joint contrastive attack: views " + views.getShape()
                    + " must stack two views of N instances");
        }
        NtXentLoss loss = new NtXentLoss(tau);
        // per-anchor terms (2N): their sum is 2N times the loss, so the gradient is that of l_CL itself
        return attack.perturb(views, input -> loss.perAnchor(embedding.apply(input), 2), parameters, random);
    }
}
