package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Correct predictions counted on the examples an attack actually returned (never on an internal
 * iterate), accumulated over batches.
 *
 * @param correct samples classified correctly
 * @param total samples seen
 */
public record RobustAccuracy(long correct, long total) {

    public RobustAccuracy {
        if (correct < 0 || total < 0 || correct > total) {
            throw new IllegalArgumentException("accuracy counts out of range: " + correct + "/" + total);
        }
    }

    public static RobustAccuracy empty() {
        return new RobustAccuracy(0, 0);
    }

    /**
     * @param logits (N, C) the classifier's output on the returned (adversarial) examples
     * @param labels (N) true labels
     */
    public static RobustAccuracy of(NDArray logits, NDArray labels) {
        NDArray predicted = logits.argMax(1).toType(DataType.INT64, false);
        // one host read per batch
        long hits = predicted.eq(labels.toType(DataType.INT64, false)).sum().getLong();
        return new RobustAccuracy(hits, labels.getShape().get(0));
    }

    public RobustAccuracy plus(RobustAccuracy other) {
        return new RobustAccuracy(correct + other.correct, total + other.total);
    }

    /** @return correct / total, NaN when nothing was counted */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
