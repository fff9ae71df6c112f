package io.robustcl.ml.train;

import java.nio.file.Path;

/** Receives progress from a {@link TrainingLoop}; called on the training thread, must be quick. */
public interface TrainingListener {
  /** Called after every optimiser step. */
  void stepFinished(StepReport report);

  default void epochFinished(EpochReport report) {}

  /** Called once when training resumes from a checkpoint, before the first step. */
  default void resumed(int nextEpoch, Path checkpoint) {}

  /**
   * Called when a step's loss or gradients were not finite but its re-run with finiteness checks was
   * finite in every phase, so the re-run's update was used and training went on.
   */
  default void stepRecomputed(RecomputedStep report) {}

  /** A listener that ignores everything. */
  static TrainingListener none() {
    return report -> {};
  }

  /**
   * @param epoch 0-based epoch
   * @param step 0-based step in the epoch
   * @param loss the step's loss
   * @param lr the learning rate used for the step
   * @param imagesPerSecond training images per second since the epoch started
   */
  record StepReport(int epoch, int epochs, int step, int stepsPerEpoch, double loss, double lr, double imagesPerSecond) {}

  /**
   * @param what {@code "loss"} or {@code "gradient"}: what was not finite in the first computation
   * @param firstLoss the first computation's loss
   * @param loss the re-run's loss, the one the step reports
   */
  record RecomputedStep(int epoch, int step, String what, double firstLoss, double loss) {}

  /** @param meanLoss mean of the epoch's step losses */
  record EpochReport(int epoch, int epochs, double meanLoss, long images, double imagesPerSecond) {}
}
