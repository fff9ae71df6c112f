package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.DeviceScalars;
import java.util.function.UnaryOperator;

/**
 * Expectation over transformation (Athalye et al., 2018), the attack on RoCL's
 * transformation-smoothed classifier (RoCL eq. 8, table 3): the objective is the mean of an inner
 * objective over n random augmentation draws,
 *
 * <pre>
 *   L_EoT(x) = (1/n) sum_{j=1..n} L(t_j(x)),   t_j ~ T,   so grad L_EoT = mean_j grad L(t_j(x))
 * </pre>
 *
 * The augmentation is passed in as a function (e.g. ml.data's SimClrAugmentation) and must be
 * differentiable in its input (crops, flips and colour jitter as NDArray operations are), drawing
 * fresh random parameters at every call. {@link #fooled} is not defined (restarts compare losses).
 */
public final class ExpectationOverTransformation implements AttackObjective {

    private final AttackObjective inner;
    private final UnaryOperator<NDArray> augmentation;
    private final int draws;

    /**
     * @param inner the objective on augmented inputs, e.g. a {@link ClassificationObjective}
     * @param augmentation a random transformation t ~ T of a batch, differentiable in its input
     * @param draws n, >= 1
     */
    public ExpectationOverTransformation(AttackObjective inner, UnaryOperator<NDArray> augmentation, int draws) {
        if (draws < 1) {
            throw new IllegalArgumentException("EoT: draws must be >= 1, got " + draws);
        }
        this.inner = inner;
        this.augmentation = augmentation;
        this.draws = draws;
    }

    @Override
    public NDArray losses(NDArray input) {
        NDArray sum = inner.losses(augmentation.apply(input));
        for (int j = 1; j < draws; j++) {
            sum = sum.add(inner.losses(augmentation.apply(input)));
        }
        return DeviceScalars.uncounted().div(sum, draws);
    }
}
