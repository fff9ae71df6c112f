package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;

/** Correct predictions out of a total; {@link #value} is their ratio (NaN for an empty set). */
public record Accuracy(long correct, long total) {
  public Accuracy {
    if (correct < 0 || total < correct) {
      throw new IllegalArgumentException("need 0 <= correct <= total, got " + correct + "/" + total);
    }
  }

  public static Accuracy empty() {
    return new Accuracy(0, 0);
  }

  /** Counts arg-max predictions equal to the labels; one host sync (a single count). */
  public static Accuracy of(NDArray predictions, NDArray labels) {
    long n = labels.getShape().get(0);
    // host sync: one scalar per batch
    long correct = predictions.toType(ai.djl.ndarray.types.DataType.INT64, false)
        .eq(labels.toType(ai.djl.ndarray.types.DataType.INT64, false)).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
    return new Accuracy(correct, n);
  }

  public Accuracy plus(Accuracy other) {
    return new Accuracy(correct + other.correct, total + other.total);
  }

  public double value() {
    return total == 0 ? Double.NaN : (double) correct / total;
  }
}
