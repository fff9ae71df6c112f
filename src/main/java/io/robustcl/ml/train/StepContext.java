package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.random.RandomGenerator;

/**
 * What a {@link TrainingMethod} may use during one step.
 *
 * @param manager a sub-manager closed at the end of the step: every temporary goes here
 * @param parameters the parameter store to pass to the network's forward calls
 * @param random the epoch's Java-side generator (augmentation and attack randomness)
 * @param epoch 0-based epoch
 * @param step 0-based step within the epoch
 * @param checks finiteness checks a method reports its phases' outputs to ({@link StepChecks#NONE}
 *     except in a forensic re-run of a failed step)
 */
public record StepContext(
    NDManager manager, ParameterStore parameters, RandomGenerator random, int epoch, int step, StepChecks checks) {

  /** A context without checks. */
  public StepContext(NDManager manager, ParameterStore parameters, RandomGenerator random, int epoch, int step) {
    this(manager, parameters, random, epoch, step, StepChecks.NONE);
  }

  /** Reports {@code values}, the output of {@code operation} in {@code phase}, and returns them. */
  public NDArray checked(StepChecks.Phase phase, String operation, NDArray values) {
    checks.after(phase, operation, values);
    return values;
  }
}
