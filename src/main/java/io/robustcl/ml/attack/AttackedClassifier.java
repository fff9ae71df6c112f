package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A classifier as the AutoAttack family sees it: a differentiable map from images in [0,1] to
 * logits, the parameter arrays whose gradients an attack switches off ({@link FrozenParameters}),
 * and the number of classes. A randomised defence (RoCL's transformation smoothing, RUSH's noise)
 * draws fresh randomness at every call of {@link #logits}; attacks on it average gradients over
 * draws (expectation over transformation).
 *
 * @param logits x (N, ...) -> logits (N, C), in inference mode; differentiable in x
 * @param parameters the model's parameter arrays
 * @param classes C
 */
public record AttackedClassifier(UnaryOperator<NDArray> logits, List<NDArray> parameters, int classes) {

    public AttackedClassifier {
        if (classes < 2) {
            throw new IllegalArgumentException("classifier under attack: needs >= 2 classes, got " + classes);
        }
        parameters = List.copyOf(parameters);
    }

    /** @return the logits of x (N, C) */
    public NDArray logitsOf(NDArray x) {
        return logits.apply(x);
    }
}
