package io.robustcl.ml.train;

/** Asked before every step; true stops the loop with {@link TrainingCancelledException}. */
@FunctionalInterface
public interface CancellationCheck {
  boolean isCancelled();

  static CancellationCheck never() {
    return () -> false;
  }
}
