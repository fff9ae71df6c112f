package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;

/**
 * Euclidean projection onto the l_1 ball intersected with a box, per sample:
 *
 * <pre>
 *   argmin_d ||d - v||_2   s.t.   ||d||_1 <= eps,   lower <= d <= upper   (lower <= 0 <= upper)
 * </pre>
 *
 * With x in [0,1], {@code lower = -x} and {@code upper = 1 - x} keep x + d inside the image box.
 * The KKT conditions give {@code d_k(lambda) = sign(v_k) min(max(|v_k| - lambda, 0), cap_k)} with
 * {@code cap_k = upper_k} for v_k >= 0 and {@code -lower_k} otherwise: Duchi et al.'s (2008)
 * soft-threshold projection onto the l_1 ball, generalised to the box. lambda = 0 when the
 * box-clipped v is already inside the ball; otherwise ||d(lambda)||_1 is continuous and
 * non-increasing in lambda, and lambda is found by bisection on [0, max|v|], keeping the feasible
 * end, so ||d||_1 <= eps holds exactly.
 */
final class L1BoxProjection {

    /** Float32 resolution of lambda is reached after about 25 halvings; 40 leave margin. */
    private static final int BISECTION_STEPS = 40;

    private L1BoxProjection() {}

    /**
     * @param v (N, D) points to project
     * @param lower (N, D), each <= 0
     * @param upper (N, D), each >= 0
     * @param eps l_1 radius, >= 0, a scalar array on v's device
     * @param zero 0 and {@code half} 0.5 as scalar arrays on v's device (no Java-number operands: each
     *     would be a new device scalar, three per bisection iteration)
     * @return (N, D) projections, attached to v's manager
     */
    static NDArray project(NDArray v, NDArray lower, NDArray upper, double eps) {
        try (NDManager constants = v.getManager().newSubManager()) {
            NDArray[] c = io.robustcl.ml.device.DeviceScalars.uncounted().of(constants, v, (float) eps, 0f, 0.5f);
            return project(v, lower, upper, c[0], c[1], c[2]);
        }
    }

    /** As {@link #project(NDArray, NDArray, NDArray, double)}, with the constants given as device scalars. */
    static NDArray project(NDArray v, NDArray lower, NDArray upper, NDArray eps, NDArray zero, NDArray half) {
        NDManager outer = v.getManager();
        try (NDManager scope = outer.newSubManager()) {
            v.tempAttach(scope);
            lower.tempAttach(scope);
            upper.tempAttach(scope);
            NDArray magnitude = v.abs();
            NDArray sign = v.sign();
            NDArray positive = v.gte(zero);
            NDArray cap = NDArrays.where(positive, upper, lower.neg());
            NDArray radius = eps;
            NDArray low = magnitude.max(new int[] {1}, true).zerosLike();
            NDArray high = magnitude.max(new int[] {1}, true);
            NDArray insideAtZero = l1(magnitude, cap, low, zero).lte(radius);
            for (int i = 0; i < BISECTION_STEPS; i++) {
                // per-iteration temporaries are N x D; a sub-manager frees them every step
                try (NDManager step = scope.newSubManager()) {
                    magnitude.tempAttach(step);
                    cap.tempAttach(step);
                    low.tempAttach(step);
                    high.tempAttach(step);
                    NDArray middle = low.add(high).muli(half);
                    NDArray tooLong = l1(magnitude, cap, middle, zero).gt(radius);
                    NDArray nextLow = NDArrays.where(tooLong, middle, low);
                    NDArray nextHigh = NDArrays.where(tooLong, high, middle);
                    nextLow.attach(scope);
                    nextHigh.attach(scope);
                    NDArray oldLow = low;
                    NDArray oldHigh = high;
                    low = nextLow;
                    high = nextHigh;
                    // the old bounds return to scope when step closes; release them now instead
                    step.close();
                    oldLow.close();
                    oldHigh.close();
                }
            }
            NDArray lambda = NDArrays.where(insideAtZero, low.zerosLike(), high);
            NDArray projected = shrink(magnitude, cap, lambda, zero).mul(sign);
            projected.attach(outer);
            return projected;
        }
    }

    /** ||d(lambda)||_1 per sample, shape (N, 1). */
    private static NDArray l1(NDArray magnitude, NDArray cap, NDArray lambda, NDArray zero) {
        return shrink(magnitude, cap, lambda, zero).sum(new int[] {1}, true);
    }

    /** min(max(|v| - lambda, 0), cap): the magnitudes of d(lambda). */
    private static NDArray shrink(NDArray magnitude, NDArray cap, NDArray lambda, NDArray zero) {
        return magnitude.sub(lambda).maximum(zero).minimum(cap);
    }
}
