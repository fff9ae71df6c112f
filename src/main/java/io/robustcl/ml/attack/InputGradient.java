package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.GradientTape;

/** The gradient of sum_n L_n(x) with respect to the input x, on a fresh leaf copy of x. */
final class InputGradient {

    private InputGradient() {}

    /**
     * @param flat current inputs (N, D), any manager; not modified and never marked as requiring a gradient
     * @param shape the model's input shape (N, ...)
     * @param objective per-sample losses
     * @param step the per-step scope that owns every temporary and the returned gradient
     * @return d(sum_n L_n)/dx, shape (N, D), attached to {@code step}
     */
    static NDArray of(NDArray flat, Shape shape, AttackObjective objective, NDManager step) {
        // a fresh leaf each step: its gradient starts empty, so nothing accumulates across steps
        NDArray leaf = flat.reshape(shape).duplicate();
        leaf.attach(step);
        leaf.setRequiresGradient(true);
        // a tape of our own, so attacks also run inside a training step's recording
        try (GradientTape tape = GradientTape.record()) {
            NDArray losses = objective.losses(leaf);
            if (losses.getShape().dimension() != 1 || losses.getShape().get(0) != shape.get(0)) {
                throw new IllegalStateException("attack objective must return per-sample losses of shape ("
                        + shape.get(0) + "), got " + losses.getShape());
            }
            tape.backward(losses.sum());
        }
        NDArray gradient = leaf.getGradient();
        gradient.attach(step);
        return gradient.reshape(shape.get(0), -1);
    }
}
