package io.robustcl.ml.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustcl.ml.device.DeviceScalars;

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR, for V >= 2 views (RoCL eq. 3
 * and the three-view L_RoCL of eq. 6; UPAT eq. 4 with tau = 0.5).
 *
 * <p>The V views of N instances are stacked in one (V*N, d) array: rows {@code v*N + i} for view v
 * of instance i. With z normalised and {@code S = z z^T / tau}:
 *
 * <pre>
 *   l_ij = -log( exp S_ij / sum_{k != i} exp S_ik )
 *   L    = (1 / (V N)) * sum_i sum_{j in P(i)} l_ij,   P(i) = { j != i : j = i mod N }
 * </pre>
 *
 * For V = 2 every anchor has one positive, so L is the mean over the 2N anchor/positive pairs; for
 * V = 3 (RoCL: t(x), t'(x), t(x)_adv) every ordered pair of distinct views of one instance is a
 * positive, summed and divided by 3N. All other rows of the batch are the negatives.
 */
public final class NtXentLoss {

    private final double tau;

    /** @param tau temperature, > 0 (0.5 in RoCL, UPAT and RUSH) */
    public NtXentLoss(double tau) {
        if (!(tau > 0)) {
            throw new IllegalArgumentException("NT-Xent: temperature tau must be > 0, got " + tau);
        }
        this.tau = tau;
    }

    public double tau() {
        return tau;
    }

    /**
     * @param z stacked views (V*N, d), view-major
     * @param views V, at least 2
     * @return the scalar loss L
     */
    public NDArray loss(NDArray z, int views) {
        return reduce(perAnchor(z, views));
    }

    /** L from the per-anchor sums of {@link #perAnchor}: their sum divided by V*N. */
    public NDArray reduce(NDArray perAnchor) {
        return perAnchor.mean();
    }

    /**
     * Per-anchor sums {@code sum_{j in P(i)} l_ij}, shape (V*N); their sum divided by V*N is
     * {@link #loss}.
     */
    public NDArray perAnchor(NDArray z, int views) {
        long rows = z.getShape().get(0);
        if (views < 2 || rows % views != 0 || z.getShape().dimension() != 2) {
            throw new IllegalArgumentException("NT-Xent: embeddings " + z.getShape()
                    + " must be (V*N, d) with V = " + views + " >= 2 views stacked view-major");
        }
        NDArray logP = ContrastiveLogProbabilities.of(z, tau);
        return logP.mul(positiveMask(z.getManager(), rows, rows / views, logP)).sum(new int[] {1}).neg();
    }

    /**
     * Per-instance losses (N): the per-anchor sums of the V views of each instance, divided by V.
     * Their mean is {@link #loss}; attacks maximise their sum.
     */
    public NDArray perInstance(NDArray z, int views) {
        NDArray anchors = perAnchor(z, views);
        long n = z.getShape().get(0) / views;
        return anchors.reshape(views, n).mean(new int[] {0});
    }

    /** P_ij = 1 iff j != i and j = i mod N. */
    private static NDArray positiveMask(NDManager manager, long rows, long n, NDArray like) {
        NDArray index = manager.arange((int) rows);
        NDArray instance = index.mod(DeviceScalars.uncounted().like(index, n));
        return ContrastiveLogProbabilities.sameKeyOffDiagonal(instance, like);
    }
}
