package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.DeviceScalars;
import java.util.function.UnaryOperator;

/**
 * The objective of an attack on a randomised-smoothing classifier (RUSH eq. 7, after Salman et
 * al., 2019): with F the base classifier's softmax and delta_i ~ Q (RUSH: U(-0.3, 0.3) per pixel)
 * drawn afresh at every evaluation,
 *
 * <pre>
 *   J(x') = -log( (1/m) sum_{i=1..m} F(x' + delta_i)_y )
 * </pre>
 *
 * computed stably as {@code log m - logsumexp_i log F(x' + delta_i)_y}. Use it with a
 * {@link PgdAttack}: its gradient is the Monte-Carlo estimate of eq. 7. A sample is fooled when
 * the arg-max of the averaged softmax differs from the label (the soft-vote prediction; RUSH's
 * reported accuracy uses the hard vote of V_m, which the evaluation computes on the returned
 * examples).
 */
public final class SmoothedClassifierAttack implements AttackObjective {

    private final UnaryOperator<NDArray> logits;
    private final UnaryOperator<NDArray> noise;
    private final NDArray labels;
    private final NDArray oneHot;
    private final int draws;

    /**
     * @param logits the base classifier l(f(.)) in inference mode
     * @param noise Q: returns x + delta for a fresh delta at each call, differentiable in x
     * @param labels (N) integer labels
     * @param classes C
     * @param draws m, >= 1
     */
    public SmoothedClassifierAttack(UnaryOperator<NDArray> logits, UnaryOperator<NDArray> noise, NDArray labels,
            int classes, int draws) {
        if (draws < 1) {
            throw new IllegalArgumentException("smoothed-classifier attack: draws m must be >= 1, got " + draws);
        }
        this.logits = logits;
        this.noise = noise;
        this.labels = labels.toType(DataType.INT64, false);
        this.oneHot = this.labels.oneHot(classes);
        this.draws = draws;
    }

    @Override
    public NDArray losses(NDArray input) {
        NDArray logProbabilities = averagedLogProbabilities(input);
        return logProbabilities.mul(oneHot.toType(logProbabilities.getDataType(), false)).sum(new int[] {1}).neg();
    }

    @Override
    public NDArray fooled(NDArray input) {
        return averagedLogProbabilities(input).argMax(1).toType(DataType.INT64, false).neq(labels);
    }

    private NDArray averagedLogProbabilities(NDArray input) {
        return averagedLogProbabilities(logits, noise, input, draws);
    }

    /**
     * log((1/m) sum_i softmax(l(f(x + delta_i)))), (N, C), via log-sum-exp over the m draws: the
     * logits of the smoothed classifier whose cross-entropy is eq. 7's J(x').
     */
    public static NDArray averagedLogProbabilities(UnaryOperator<NDArray> logits, UnaryOperator<NDArray> noise,
            NDArray input, int draws) {
        NDArray[] perDraw = new NDArray[draws];
        for (int i = 0; i < draws; i++) {
            perDraw[i] = logits.apply(noise.apply(input)).logSoftmax(1);
        }
        NDArray stacked = NDArrays.stack(new NDList(perDraw));
        NDArray max = stacked.max(new int[] {0}, true).stopGradient();
        NDArray logSum = stacked.sub(max).exp().sum(new int[] {0}).log().add(max.squeeze(0));
        return logSum.sub(DeviceScalars.uncounted().like(logSum, (float) Math.log(draws)));
    }
}
