package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.function.UnaryOperator;

/**
 * The supervised attack objective: per-sample cross-entropy {@code -log softmax(l(f(x_adv)))_y} of
 * a classifier, maximised by class-wise PGD (RoCL eq. 1, Madry AT, the evaluation attacks).
 * A sample is fooled when the arg-max class differs from its label.
 */
public final class ClassificationObjective implements AttackObjective {

    private final UnaryOperator<NDArray> logits;
    private final NDArray labels;
    private final NDArray oneHot;

    /**
     * @param logits the classifier in inference mode, e.g. {@code x -> network.logits(store, x, false)}
     * @param labels (N) integer labels
     * @param classes number of classes C of the logits
     */
    public ClassificationObjective(UnaryOperator<NDArray> logits, NDArray labels, int classes) {
        if (labels.getShape().dimension() != 1) {
            throw new IllegalArgumentException("classification objective: labels must be (N), got " + labels.getShape());
        }
        this.logits = logits;
        this.labels = labels.toType(DataType.INT64, false);
        // built once per attack, not per step: a label-side temporary would outlive the step scope
        this.oneHot = this.labels.oneHot(classes);
    }

    @Override
    public NDArray losses(NDArray input) {
        NDArray scores = logits.apply(input);
        return scores.logSoftmax(1).mul(oneHot.toType(scores.getDataType(), false)).sum(new int[] {1}).neg();
    }

    @Override
    public NDArray fooled(NDArray input) {
        return logits.apply(input).argMax(1).toType(DataType.INT64, false).neq(labels);
    }
}
