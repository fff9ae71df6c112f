package io.robustcl.pipeline;

/**
 * A progress report from a running stage. Counts are 1-based; a total of 0 means unknown,
 * and {@code Double.NaN} means a figure is not reported.
 *
 * @param phase short label of what is running, e.g. {@code "train"} or {@code "attack"}
 * @param epoch current epoch (1-based), 0 if the stage has no epochs
 * @param epochs total epochs, 0 if unknown
 * @param step current step within the epoch (1-based)
 * @param steps steps per epoch, 0 if unknown
 * @param loss latest loss, or NaN
 * @param itemsPerSecond throughput (images/s), or NaN
 */
public record Progress(
    String phase, int epoch, int epochs, long step, long steps, double loss, double itemsPerSecond) {

  /** Fraction of the stage done in [0, 1], or NaN when the totals are unknown. */
  public double fraction() {
    if (steps <= 0) {
      return Double.NaN;
    }
    double inEpoch = Math.min(1.0, (double) step / steps);
    if (epochs <= 0) {
      return inEpoch;
    }
    return Math.min(1.0, (Math.max(epoch, 1) - 1 + inEpoch) / epochs);
  }
}
