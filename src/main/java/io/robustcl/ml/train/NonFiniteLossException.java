package io.robustcl.ml.train;

import org.jspecify.annotations.Nullable;

/**
 * The loss or a gradient of a step became NaN or infinite; the parameters were not updated with it.
 * Before this is thrown, the step is re-run once with finiteness checks after each phase
 * ({@link StepChecks}); the message names the first phase and operation that produced a non-finite
 * value and the training-set images involved ({@link #diagnosis}). A step whose re-run is finite in every
 * phase does not throw: {@link TrainingLoop} uses the re-run. The epoch checkpoints already written stay
 * where they are.
 */
public final class NonFiniteLossException extends RuntimeException {
  private final int epoch;
  private final int step;
  private final double loss;
  private final @Nullable StepDiagnosis diagnosis;

  /**
   * @param what {@code "loss"}, {@code "gradient"} (the loss was finite, a gradient was not) or
   *     {@code "update"} (the optimiser turned finite gradients into non-finite parameters)
   * @param diagnosis the forensic re-run's finding; null if the re-run found every phase finite
   * @param checkpointNote what happened to the checkpoints, appended to the message (may be empty)
   */
  public NonFiniteLossException(String method, int epoch, int step, double loss, String what,
      @Nullable StepDiagnosis diagnosis, String checkpointNote) {
    super(message(method, epoch, step, loss, what, diagnosis, checkpointNote));
    this.epoch = epoch;
    this.step = step;
    this.loss = loss;
    this.diagnosis = diagnosis;
  }

  private static String message(String method, int epoch, int step, double loss, String what,
      @Nullable StepDiagnosis diagnosis, String checkpointNote) {
    String head = switch (what) {
      case "loss" -> "loss of method '" + method + "' is " + loss;
      case "update" -> "method '" + method + "': the optimiser's update made a parameter non-finite (loss " + loss + ")";
      default -> "method '" + method + "': a " + what + " is not finite (loss " + loss + ")";
    };
    String stopped = what.equals("update")
        ? "training stopped before checkpointing the parameters"
        : "training stopped before updating the parameters with it";
    String found = diagnosis == null
        ? "no parameter was found non-finite again"
        : "first non-finite value in " + diagnosis.describe();
    return head + " at epoch " + epoch + ", step " + step + " (0-based); " + stopped + "; " + found
        + (checkpointNote.isEmpty() ? "" : "; " + checkpointNote);
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

  /** The forensic re-run's finding, or null if it found every phase finite. */
  public @Nullable StepDiagnosis diagnosis() {
    return diagnosis;
  }
}
