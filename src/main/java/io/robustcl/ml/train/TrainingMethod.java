package io.robustcl.ml.train;

import io.robustcl.ml.data.Batch;

/**
 * One pre-training or fine-tuning objective, run by {@link TrainingLoop} once per batch in two phases.
 *
 * <p>{@link #prepare} runs without gradient recording of the training loss: it augments the batch and
 * runs any attack (attacks record their own input gradients, and DJL allows one gradient collector at a
 * time, so they must finish before the loss is recorded). The returned {@link BatchLoss} is then
 * evaluated under the loop's gradient collector, which back-propagates it.
 */
@FunctionalInterface
public interface TrainingMethod {
  BatchLoss prepare(StepContext context, Batch batch);

  /** The loss of one prepared batch: a scalar computed from the network in training mode. */
  @FunctionalInterface
  interface BatchLoss {
    ai.djl.ndarray.NDArray compute();
  }
}
