package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;

/**
 * Finiteness checks between the phases of one training step, for NaN forensics: a normal step runs
 * with {@link #NONE} (no cost, no host sync); when a step's loss or gradient comes out NaN or infinite,
 * {@link TrainingLoop} re-runs that step once with checks that stop at the first phase whose output is
 * not finite and name it, its operation and the images involved.
 *
 * <p>Methods call {@link #after} with view-major stacks of per-image rows (row {@code r} belongs to batch
 * image {@code r mod N}, N the batch size), or with any array whose first axis is the batch (or a stack of
 * it); a scalar names no image.
 */
@FunctionalInterface
public interface StepChecks {

  /** The phases of a step, in the order they run. */
  enum Phase {
    /** the model's state before the step (left non-finite by an earlier update) */
    PARAMETERS("parameters before the step"),
    AUGMENTATION("augmentation"),
    ATTACK("attack"),
    FORWARD("forward"),
    LOSS("loss"),
    BACKWARD("backward"),
    OPTIMIZER("optimizer");

    private final String label;

    Phase(String label) {
      this.label = label;
    }

    /** How a message names the phase. */
    public String label() {
      return label;
    }
  }

  /** No checks: what every ordinary step uses. */
  StepChecks NONE = (phase, operation, values) -> {};

  /**
   * Called after {@code operation} of {@code phase} produced {@code values}.
   *
   * @throws NonFiniteStepException in a forensic re-run, if {@code values} holds a NaN or an infinity
   */
  void after(Phase phase, String operation, NDArray values);
}
