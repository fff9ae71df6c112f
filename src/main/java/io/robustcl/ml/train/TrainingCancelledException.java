package io.robustcl.ml.train;

/** Training stopped at a cancellation request (or thread interrupt) before the given step ran. */
public final class TrainingCancelledException extends RuntimeException {
  private final int epoch;
  private final int step;

  public TrainingCancelledException(int epoch, int step) {
    super("training cancelled before epoch " + epoch + ", step " + step);
    this.epoch = epoch;
    this.step = step;
  }

  public int epoch() {
    return epoch;
  }

  public int step() {
    return step;
  }
}
