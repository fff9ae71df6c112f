package io.robustcl.ml.train;

/**
 * The loss became NaN or infinite; the parameters were not updated with it. The usual causes are a
 * learning rate too high for the batch size, or inputs outside [0,1].
 */
public final class NonFiniteLossException extends RuntimeException {
  private final int epoch;
  private final int step;
  private final double loss;

  public NonFiniteLossException(String method, int epoch, int step, double loss) {
    super("loss of method '" + method + "' is " + loss + " at epoch " + epoch + ", step " + step
        + " (0-based); training stopped before updating the parameters with it: lower the learning rate"
        + " or check the inputs");
    this.epoch = epoch;
    this.step = step;
    this.loss = loss;
  }

  public int epoch() {
    return epoch;
  }

  public int step() {
    return step;
  }

  public double loss() {
    return loss;
  }
}
