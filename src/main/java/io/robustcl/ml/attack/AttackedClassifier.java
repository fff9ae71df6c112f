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
 * <p>A classifier's prediction is the arg-max of its logits unless it says otherwise: RUSH's
 * smoothed classifier V_m attacks through the log of its softmax averaged over m noise draws (eq. 7)
 * but predicts by the majority vote of those draws (eq. 4).
 *
 * @param logits x (N, ...) -> logits (N, C), in inference mode; differentiable in x
 * @param parameters the model's parameter arrays
 * @param classes C
 * @param predictions x (N, ...) -> predicted classes (N); by default the arg-max of {@code logits}
 */
public record AttackedClassifier(UnaryOperator<NDArray> logits, List<NDArray> parameters, int classes,
        UnaryOperator<NDArray> predictions) {

    public AttackedClassifier {
        if (classes < 2) {
            throw new IllegalArgumentException("classifier under attack: needs >= 2 classes, got " + classes);
        }
        parameters = List.copyOf(parameters);
    }

    /** A classifier predicting the arg-max of its logits. */
    public AttackedClassifier(UnaryOperator<NDArray> logits, List<NDArray> parameters, int classes) {
        this(logits, parameters, classes, x -> logits.apply(x).argMax(1));
    }

    /** @return the predicted classes of x (N), the scoring of clean and adversarial inputs */
    public NDArray predict(NDArray x) {
        return predictions.apply(x);
    }

    /** @return the logits of x (N, C) */
    public NDArray logitsOf(NDArray x) {
        return logits.apply(x);
    }
}
