package io.robustcl.ml.train;

import java.util.Arrays;

/**
 * Thrown by forensic {@link StepChecks} at the first phase of a re-run step whose output is NaN or
 * infinite; {@link TrainingLoop} turns it into the {@link NonFiniteLossException} the caller sees.
 *
 * @see StepDiagnosis
 */
final class NonFiniteStepException extends RuntimeException {
  private final StepDiagnosis diagnosis;

  NonFiniteStepException(StepDiagnosis diagnosis) {
    super(diagnosis.describe());
    this.diagnosis = diagnosis;
  }

  StepDiagnosis diagnosis() {
    return diagnosis;
  }

  @Override
  public String toString() {
    return "NonFiniteStepException[" + diagnosis.phase() + ", " + diagnosis.operation() + ", images "
        + Arrays.toString(diagnosis.images()) + "]";
  }
}
