package io.robustcl.ml.train;

import io.robustcl.ml.data.Batch;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustcl.ml.device.GradientTape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Trains a model for a number of epochs: per batch, {@link TrainingMethod#prepare} (augmentation,
 * attacks), the loss under a gradient collector, backward, one optimiser step (which zeroes the
 * gradients), a progress report. After every epoch it writes a checkpoint when the plan names a
 * directory, and on start it resumes from the newest valid checkpoint there.
 *
 * <p>Determinism: epoch {@code e} draws all its randomness from {@code (seed, e)} (see
 * {@link EpochRandomness}), so a run resumed from a checkpoint continues bit-exactly as an
 * uninterrupted one would, given deterministic kernels.
 *
 * <p>Errors: a NaN or infinite loss stops training with {@link NonFiniteLossException} naming the
 * epoch and step, before the parameters are touched; a cancellation request or thread interrupt
 * stops it before the next step with {@link TrainingCancelledException}.
 */
public final class TrainingLoop {
  private final ModelParameters model;
  private final SgdOptimizer optimizer;
  private final LearningRateSchedule schedule;
  private final TrainingMethod method;
  private final BatchSource data;
  private final TrainingListener listener;
  private final CancellationCheck cancellation;

  public TrainingLoop(
      ModelParameters model,
      SgdOptimizer optimizer,
      LearningRateSchedule schedule,
      TrainingMethod method,
      BatchSource data,
      TrainingListener listener,
      CancellationCheck cancellation) {
    this.model = model;
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.method = method;
    this.data = data;
    this.listener = listener;
    this.cancellation = cancellation;
  }

  /**
   * Runs (or resumes) the plan. Every temporary of a step lives in a sub-manager of {@code manager}
   * that is closed at the end of the step.
   */
  public TrainingOutcome run(NDManager manager, TrainingPlan plan) {
    List<ModelParameter> state = new ArrayList<>(model.all());
    state.addAll(optimizer.state());
    EpochCheckpoints checkpoints = plan.checkpointDirectory() == null ? null : new EpochCheckpoints(plan.checkpointDirectory());
    int start = 0;
    if (checkpoints != null) {
      Optional<EpochCheckpoints.Restored> restored = checkpoints.restoreNewest(plan.seed(), state);
      if (restored.isPresent()) {
        start = Math.min(restored.get().completedEpochs(), plan.epochs());
        listener.resumed(start, restored.get().file());
      }
    }
    optimizer.zeroGradients();
    ParameterStore parameters = new ParameterStore(manager, false);
    double lastMean = Double.NaN;
    long steps = 0;
    int stepsPerEpoch = data.batchesPerEpoch();
    for (int epoch = start; epoch < plan.epochs(); epoch++) {
      RandomGenerator random = EpochRandomness.start(plan.seed(), epoch);
      BatchSource.EpochBatches batches = data.epoch(epoch, random);
      long started = System.nanoTime();
      long images = 0;
      double lossSum = 0;
      int step = 0;
      while (batches.hasNext()) {
        if (cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
          throw new TrainingCancelledException(epoch, step);
        }
        double lr = schedule.lr(epoch, step);
        double loss;
        int size;
        try (NDManager sub = manager.newSubManager()) {
          Batch batch = batches.next(sub);
          size = batch.size();
          TrainingMethod.BatchLoss prepared = method.prepare(new StepContext(sub, parameters, random, epoch, step), batch);
          NDArray lossArray;
          try (GradientTape collector = GradientTape.record()) {
            lossArray = prepared.compute();
            collector.backward(lossArray);
          }
          // host sync, once per step: needed for the NaN check before the update and for progress
          loss = lossArray.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
          if (!Double.isFinite(loss)) {
            optimizer.zeroGradients();
            throw new NonFiniteLossException(plan.methodName(), epoch, step, loss);
          }
          optimizer.step(lr);
        }
        images += size;
        lossSum += loss;
        steps++;
        double seconds = (System.nanoTime() - started) / 1e9;
        listener.stepFinished(new TrainingListener.StepReport(
            epoch, plan.epochs(), step, stepsPerEpoch, loss, lr, images / Math.max(seconds, 1e-9)));
        step++;
      }
      lastMean = step == 0 ? Double.NaN : lossSum / step;
      double seconds = (System.nanoTime() - started) / 1e9;
      listener.epochFinished(new TrainingListener.EpochReport(
          epoch, plan.epochs(), lastMean, images, images / Math.max(seconds, 1e-9)));
      if (checkpoints != null) {
        checkpoints.save(epoch + 1, plan.seed(), state);
      }
    }
    return new TrainingOutcome(plan.epochs(), start, lastMean, steps);
  }
}
