package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.GradientTape;
import java.util.function.UnaryOperator;

/**
 * One evaluation of a classifier loss at a batch of points: the logits, the per-sample losses and
 * the input gradient of their sum, the gradient averaged over {@code draws} forward/backward passes
 * (expectation over transformation for randomised models; logits and losses are those of the last
 * draw, as in AutoAttack's APGD).
 *
 * @param logits (N, C), without gradient history
 * @param losses (N), without gradient history
 * @param gradient (N, D), the mean of d(sum_n L_n)/dx over the draws
 */
record LossGradient(NDArray logits, NDArray losses, NDArray gradient) {

    /** Per-sample loss of a batch of logits. */
    @FunctionalInterface
    interface Loss {
        NDArray of(NDArray logits);
    }

    /**
     * @param flat points (N, D) in any manager; not modified
     * @param shape the model's input shape (N, ...)
     * @param model logits of a batch, in inference mode
     * @param loss per-sample loss of the logits
     * @param draws forward/backward passes averaged, >= 1
     * @param inverseDraws 1/draws as a scalar array (unused when draws is 1)
     * @param step the scope that owns every temporary and the result
     */
    static LossGradient at(NDArray flat, Shape shape, UnaryOperator<NDArray> model, Loss loss, int draws,
            NDArray inverseDraws, NDManager step) {
        NDArray sum = null;
        NDArray logits = null;
        NDArray losses = null;
        for (int j = 0; j < draws; j++) {
            // a fresh leaf per pass: its gradient starts empty, nothing accumulates
            NDArray leaf = flat.reshape(shape).duplicate();
            leaf.attach(step);
            leaf.setRequiresGradient(true);
            try (GradientTape tape = GradientTape.record()) {
                logits = model.apply(leaf);
                losses = loss.of(logits);
                tape.backward(losses.sum());
            }
            NDArray gradient = leaf.getGradient().reshape(shape.get(0), -1);
            gradient.attach(step);
            sum = sum == null ? gradient : sum.add(gradient);
            logits = logits.stopGradient();
            losses = losses.stopGradient();
        }
        NDArray gradient = draws == 1 ? sum : sum.mul(inverseDraws);
        return new LossGradient(logits, losses, gradient);
    }
}
