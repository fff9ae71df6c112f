package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * FAB's projection step (Croce &amp; Hein 2020, "Minimally distorted adversarial examples with a
 * fast adaptive boundary attack", eq. 5): the smallest l_p perturbation d that moves a point t
 * onto the hyperplane {z : w . z = b} while staying in the box, t + d in [0,1]^D:
 *
 * <pre>
 *   min ||d||_p   s.t.   w . (t + d) = b,   0 <= t + d <= 1
 * </pre>
 *
 * With g = -sign(w . t - b) w the direction that closes the gap m = |w . t - b|, the problem is
 * min ||d||_p s.t. g . d >= m, each coordinate moving along sign(g_k) by at most its room r_k
 * (to 1 or to 0). Its KKT conditions give:
 *
 * <ul>
 *   <li>l_inf and l_2: |d_k| = min(lambda s_k, r_k) with s_k = 1 (l_inf) or |g_k| (l_2). The
 *       reached gap G(lambda) = sum_k |g_k| min(lambda s_k, r_k) is piecewise linear and
 *       increasing with breakpoints r_k / s_k; sorting them and taking cumulative sums finds the
 *       segment where G = m and lambda exactly;
 *   <li>l_1: a fractional knapsack: coordinates by decreasing |g_k| move to their room until the
 *       gap is closed, the last one partially.
 * </ul>
 *
 * When even the whole box cannot close the gap, every coordinate moves to its room. Coordinates
 * with g_k = 0 never move. All operations are batched over rows (N, D).
 */
final class HyperplaneProjection {

    private HyperplaneProjection() {}

    /**
     * @param t points (N, D) in [0,1]
     * @param w normals (N, D)
     * @param b offsets (N)
     * @return d (N, D), in t's manager
     */
    static NDArray project(Norm norm, NDArray t, NDArray w, NDArray b, Scalars scalars) {
        long n = t.getShape().get(0);
        NDArray zero = scalars.of(0f);
        NDArray gap = w.mul(t).sum(new int[] {1}).sub(b);
        NDArray orient = gap.gte(zero).toType(t.getDataType(), false).mul(scalars.of(-2f)).add(scalars.of(1f));
        NDArray g = w.mul(orient.reshape(n, 1));
        NDArray margin = gap.abs().reshape(n, 1);
        NDArray gain = g.abs();
        NDArray up = g.gt(zero);
        NDArray room = NDArrays.where(up, t.mul(scalars.of(-1f)).add(scalars.of(1f)), t);
        NDArray moving = gain.gt(zero).toType(t.getDataType(), false);
        NDArray amount = norm == Norm.L1
                ? knapsack(gain, room, margin, scalars)
                : waterFilling(norm, gain, room, margin, moving, scalars);
        return amount.mul(g.sign()).mul(moving);
    }

    /** l_inf / l_2: |d_k| = min(lambda s_k, r_k) at the lambda with G(lambda) = m. */
    private static NDArray waterFilling(Norm norm, NDArray gain, NDArray room, NDArray margin, NDArray moving,
            Scalars scalars) {
        long d = gain.getShape().get(1);
        NDArray slope = norm == Norm.LINF ? moving : gain;
        NDArray big = scalars.of(1e30f);
        // breakpoint lambda at which coordinate k saturates; never for a coordinate that cannot move
        NDArray safeSlope = NDArrays.where(slope.gt(scalars.of(0f)), slope, slope.onesLike());
        NDArray breakpoints = NDArrays.where(slope.gt(scalars.of(0f)), room.div(safeSlope), big.broadcast(room.getShape()));
        NDArray order = breakpoints.argSort(1);
        NDArray sortedBreaks = breakpoints.gather(order, 1);
        NDArray saturated = gain.mul(room).gather(order, 1);
        NDArray rates = gain.mul(slope).gather(order, 1);
        NDArray cumSaturated = saturated.cumSum(1);
        NDArray cumRates = rates.cumSum(1);
        NDArray totalRate = cumRates.get(":, -1:");
        // G at each breakpoint: coordinates up to it saturated, the rest growing at their rate
        NDArray reached = cumSaturated.add(sortedBreaks.mul(totalRate.sub(cumRates)));
        // counted in the inputs' float type (exact up to 2^24 coordinates) so the bounds are cached scalars
        NDArray zero = scalars.of(0f);
        NDArray segment = reached.lt(margin).toType(gain.getDataType(), false).sum(new int[] {1}, true);
        NDArray infeasible = segment.gte(scalars.of((float) d));
        NDArray previous = segment.sub(scalars.of(1f)).maximum(zero).minimum(scalars.of((float) (d - 1)))
                .toType(DataType.INT64, false);
        NDArray hasPrevious = segment.gt(zero).toType(gain.getDataType(), false);
        NDArray prevSaturated = cumSaturated.gather(previous, 1).mul(hasPrevious);
        NDArray prevRate = cumRates.gather(previous, 1).mul(hasPrevious);
        NDArray rate = totalRate.sub(prevRate);
        NDArray lambda = margin.sub(prevSaturated).div(NDArrays.where(rate.gt(scalars.of(0f)), rate, rate.onesLike()));
        lambda = NDArrays.where(infeasible, big.broadcast(lambda.getShape()), lambda);
        return lambda.mul(slope).minimum(room);
    }

    /** l_1: fill coordinates by decreasing gain up to their room until the gap is closed. */
    private static NDArray knapsack(NDArray gain, NDArray room, NDArray margin, Scalars scalars) {
        NDArray order = gain.mul(scalars.of(-1f)).argSort(1);
        NDArray inverse = order.argSort(1);
        NDArray sortedGain = gain.gather(order, 1);
        NDArray sortedRoom = room.gather(order, 1);
        NDArray closes = sortedGain.mul(sortedRoom);
        NDArray cumulative = closes.cumSum(1);
        NDArray before = cumulative.sub(closes);
        NDArray full = cumulative.lte(margin);
        NDArray safeGain = NDArrays.where(sortedGain.gt(scalars.of(0f)), sortedGain, sortedGain.onesLike());
        NDArray partial = margin.sub(before).div(safeGain).minimum(sortedRoom).maximum(scalars.of(0f));
        NDArray amounts = NDArrays.where(full, sortedRoom, NDArrays.where(before.lt(margin), partial, partial.zerosLike()));
        return amounts.gather(inverse, 1);
    }
}
