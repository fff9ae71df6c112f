package io.robustcl.ml.loss;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.DeviceScalars;

/**
 * Supervised contrastive loss of Khosla et al. (2020), ASCL eq. 7. For embeddings z (M, d),
 * normalised, with labels y, anchors i and {@code A(i) = {a != i}}, {@code P(i) = {p in A(i) : y_p = y_i}}:
 *
 * <pre>
 *   l_i = -(1 / |P(i)|) sum_{p in P(i)} log( exp(z_i . z_p / tau) / sum_{a in A(i)} exp(z_i . z_a / tau) )
 *   L   = mean of l_i over the anchors with |P(i)| > 0
 * </pre>
 *
 * ASCL writes eq. 7 as a sum over anchors; like Khosla et al.'s reference code this class takes
 * the mean, which changes only the scale. Anchors without any positive contribute nothing (the
 * reference code would divide by zero). Several views of a batch are passed stacked, with their
 * labels repeated; ASCL eq. 9 (views t(x) and x + delta) is such a stacking.
 */
public final class SupConLoss {

    /** Constants as arrays, never Java-number operands (see {@link DeviceScalars}: autograd keeps them). */
    private static final DeviceScalars SCALARS = DeviceScalars.uncounted();

    private final double tau;

    /** @param tau temperature, > 0 */
    public SupConLoss(double tau) {
        if (!(tau > 0)) {
            throw new IllegalArgumentException("SupCon: temperature tau must be > 0, got " + tau);
        }
        this.tau = tau;
    }

    public double tau() {
        return tau;
    }

    /** @return the scalar loss L; throws if no anchor has a positive */
    public NDArray loss(NDArray z, NDArray labels) {
        NDArray perAnchor = perAnchor(z, labels);
        NDArray counts = positiveCounts(z, labels);
        NDArray hasPositive = counts.gt(SCALARS.like(counts, 0f));
        // a host read, once per batch: an all-singleton batch is a caller error worth naming
        long anchors = hasPositive.sum().getLong();
        if (anchors == 0) {
            throw new IllegalArgumentException(
                    "SupCon: no anchor has a positive (every label occurs once in the batch)");
        }
        NDArray sum = perAnchor.sum();
        return sum.div(SCALARS.like(sum, anchors));
    }

    /** Per-anchor losses l_i (M); 0 for anchors without positives. */
    public NDArray perAnchor(NDArray z, NDArray labels) {
        long m = z.getShape().get(0);
        NDArray positives = positives(z, labels);
        NDArray logP = ContrastiveLogProbabilities.of(z, tau);
        NDArray count = positives.sum(new int[] {1});
        return logP.mul(positives).sum(new int[] {1}).neg().div(count.maximum(SCALARS.like(count, 1f))).reshape(m);
    }

    /**
   * ASCL eq. 9, per clean anchor: with z = [anchors; adversarial] stacked (2N, d), the anchors i are
   * the clean views' rows, the positives P(i) are the adversarial rows of the same label (the
   * instance's own x + delta included, so |P(i)| >= 1), and the denominator runs over A(i), every
   * other row of both halves:
   *
   * <pre>
   *   l_i = -(1 / |P(i)|) sum_{p in P(i)} log( exp(z_i . z_p^adv / tau) / sum_{a in A(i)} exp(z_i . z_a / tau) )
   * </pre>
   *
   * @param anchors z of the clean views t(x) (N, d)
   * @param adversarial z^adv of x + delta (N, d), row j the same instance as anchor row j
   * @param labels (N)
   * @return l_i for the N anchors; their mean is the loss, their sum what the attack maximises
   */
  public NDArray adversarialPositivesPerAnchor(NDArray anchors, NDArray adversarial, NDArray labels) {
    long n = anchors.getShape().get(0);
    if (!adversarial.getShape().equals(anchors.getShape())) {
      throw new IllegalArgumentException("SupCon eq. 9: anchors " + anchors.getShape() + " and adversarial "
          + adversarial.getShape() + " must have the same shape");
    }
    NDArray y = ContrastiveLogProbabilities.asLongVector(labels, n, "SupCon eq. 9");
    NDArray z = anchors.concat(adversarial, 0);
    NDArray logP = ContrastiveLogProbabilities.of(z, tau).get("0:{}, {}:", n, n);
    NDArray yd = y.toDevice(z.getDevice(), false);
    NDArray positives = yd.reshape(n, 1).eq(yd.reshape(1, n)).toType(z.getDataType(), false);
    return logP.mul(positives).sum(new int[] {1}).neg().div(positives.sum(new int[] {1}));
  }

  private static NDArray positiveCounts(NDArray z, NDArray labels) {
        return positives(z, labels).sum(new int[] {1});
    }

    /** P_ij = 1 iff i != j and y_i = y_j. */
    private static NDArray positives(NDArray z, NDArray labels) {
        NDArray y = ContrastiveLogProbabilities.asLongVector(labels, z.getShape().get(0), "SupCon");
        return ContrastiveLogProbabilities.sameKeyOffDiagonal(y, z);
    }
}
