package io.robustcl.ml.train;

import io.robustcl.ml.data.Batch;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.GradientTape;
import io.robustcl.ml.device.HostTransfer;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

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
 * <p>Errors: a NaN or infinite loss or gradient is caught before the parameters are touched, and the
 * step is re-run once from the same state with finiteness checks after each phase ({@link StepChecks}).
 * If a phase of the re-run produces a NaN or an infinity, training stops with
 * {@link NonFiniteLossException} naming the epoch, step, phase, operation and the training-set images
 * involved. If every phase of the re-run is finite, its update is used, the listener is told
 * ({@link TrainingListener#stepRecomputed}) and training goes on; the outcome counts such steps. A
 * cancellation request or thread interrupt stops it before the next step with
 * {@link TrainingCancelledException}.
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
    PendingUpdate pending = null;
    long recomputed = 0;
    for (int epoch = start; epoch < plan.epochs(); epoch++) {
      ReplayableRandom random = new ReplayableRandom(EpochRandomness.start(plan.seed(), epoch));
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
          random.startStep();
          List<NDArray> statistics = snapshotStatistics(sub);
          NDArray lossArray = lossAndGradients(new StepContext(sub, parameters, random, epoch, step), batch);
          // one host sync per step: the loss (for progress), a sum over every gradient (NaN or infinite
          // as soon as one gradient is) and the previous update's sum over the parameters
          double[] read = readStepSums(lossArray, pending, sub);
          loss = read[0];
          if (pending != null) {
            verified(plan, checkpoints, pending, read[2]);
            pending = null;
          }
          if (Double.isFinite(loss) && Double.isFinite(read[1])) {
            optimizer.step(lr);
            NDArray parameterSum = optimizer.parameterSum(sub);
            parameterSum.attach(manager);
            pending = new PendingUpdate(parameterSum, epoch, step, lr, loss);
          } else {
            String what = Double.isFinite(loss) ? "gradient" : "loss";
            Replay replay = replayWithChecks(epoch, step, lr, batch, random.replayStep(), statistics, parameters, sub);
            if (replay.found() != null) {
              throw new NonFiniteLossException(plan.methodName(), epoch, step, loss, what, replay.found(),
                  checkpointNote(plan, checkpoints, epoch));
            }
            // The same step, recomputed from the same batch, draws, statistics and weights, was finite in
            // every phase, and its checked update now stands: the fault was transient, not the data's or
            // the method's. Issue 17's (a NaN gradient once in ~1,000 CPU steps) was a constant whose
            // memory the GC freed before backward, fixed at its source (DeviceScalars); this is the net
            // for any fault of that kind.
            recomputed++;
            listener.stepRecomputed(new TrainingListener.RecomputedStep(epoch, step, what, loss, replay.loss()));
            loss = replay.loss();
          }
        }
        images += size;
        lossSum += loss;
        steps++;
        double seconds = (System.nanoTime() - started) / 1e9;
        listener.stepFinished(new TrainingListener.StepReport(
            epoch, plan.epochs(), step, stepsPerEpoch, loss, lr, images / Math.max(seconds, 1e-9)));
        step++;
      }
      // the epoch's last update is checked before anything is reported or checkpointed
      if (pending != null) {
        double sum;
        try (NDArray wide = pending.parameterSum().toType(DataType.FLOAT64, false)) {
          sum = wide.getDouble();
        }
        verified(plan, checkpoints, pending, sum);
        pending = null;
      }
      lastMean = step == 0 ? Double.NaN : lossSum / step;
      double seconds = (System.nanoTime() - started) / 1e9;
      listener.epochFinished(new TrainingListener.EpochReport(
          epoch, plan.epochs(), lastMean, images, images / Math.max(seconds, 1e-9)));
      if (checkpoints != null) {
        checkpoints.save(epoch + 1, plan.seed(), state);
      }
    }
    return new TrainingOutcome(plan.epochs(), start, lastMean, steps, recomputed);
  }

  /**
   * The sum over the parameters after an optimiser step, read at the next host sync.
   *
   * @param loss the loss of the step that made the update
   */
  private record PendingUpdate(NDArray parameterSum, int epoch, int step, double lr, double loss) {}

  /**
   * Closes {@code update}'s sum; if it was not finite, throws naming the first parameter the update
   * made non-finite (phase optimizer): its gradients had been checked finite, so the update rule itself
   * produced the NaN or infinity.
   */
  private void verified(TrainingPlan plan, EpochCheckpoints checkpoints, PendingUpdate update, double sum) {
    update.parameterSum().close();
    if (Double.isFinite(sum)) {
      return;
    }
    FinitenessChecks checks = new FinitenessChecks(new int[0]);
    StepDiagnosis found = null;
    for (ModelParameter p : model.trainable()) {
      found = checks.inspect(StepChecks.Phase.OPTIMIZER, optimizer.settings().describe() + " update of " + p.name()
          + " with lr " + update.lr() + " from finite gradients", p.array());
      if (found != null) {
        break;
      }
    }
    throw new NonFiniteLossException(plan.methodName(), update.epoch(), update.step(), update.loss(), "update", found,
        checkpointNote(plan, checkpoints, update.epoch()));
  }

  private static String checkpointNote(TrainingPlan plan, EpochCheckpoints checkpoints, int failedEpoch) {
    return checkpoints == null || failedEpoch == 0 ? ""
        : "the checkpoint after epoch " + failedEpoch + " stays in " + plan.checkpointDirectory()
            + " and a rerun with the same params resumes from it";
  }

  /** prepare, then the loss under a gradient tape and its backward pass; returns the loss. */
  private NDArray lossAndGradients(StepContext ctx, Batch batch) {
    TrainingMethod.BatchLoss prepared = method.prepare(ctx, batch);
    try (GradientTape tape = GradientTape.record()) {
      NDArray lossArray = ctx.checked(StepChecks.Phase.LOSS, "the loss of the step", prepared.compute());
      tape.backward(lossArray);
      return lossArray;
    }
  }

  private double[] readStepSums(NDArray lossArray, PendingUpdate pending, NDManager sub) {
    NDList sums = new NDList(lossArray.toType(DataType.FLOAT64, false));
    NDArray gradients = optimizer.gradientSum(sub);
    sums.add(gradients == null ? sums.get(0).zerosLike() : gradients.toType(DataType.FLOAT64, false));
    if (pending != null) {
      NDArray parameters = pending.parameterSum().toType(DataType.FLOAT64, false);
      parameters.attach(sub);
      sums.add(parameters);
    }
    return NDArrays.stack(sums).toDoubleArray();
  }

  /**
   * Copies of the state that a step changes without the optimiser (batch-norm running statistics), so
   * that a forensic re-run starts from the state the failed step started from.
   */
  private List<NDArray> snapshotStatistics(NDManager sub) {
    List<NDArray> copies = new ArrayList<>();
    for (ModelParameter p : model.all()) {
      if (!p.trainable()) {
        NDArray copy = p.array().duplicate();
        copy.attach(sub);
        copies.add(copy);
      }
    }
    return copies;
  }

  private void restoreStatistics(List<NDArray> copies) {
    GradientTape.withoutRecording(() -> {
      int i = 0;
      for (ModelParameter p : model.all()) {
        if (!p.trainable()) {
          HostTransfer.write(p.array(), HostTransfer.read(copies.get(i++)));
        }
      }
    });
  }

  /**
   * The forensic re-run's outcome.
   *
   * @param found the first phase that produced a NaN or an infinity; null if every phase was finite,
   *     and then the re-run's optimiser update has been applied
   * @param loss the re-run's loss (NaN when it was not reached or not finite)
   */
  private record Replay(@Nullable StepDiagnosis found, double loss) {}

  /**
   * NaN forensics: re-runs the failed step once, from the same batch, random draws and batch-norm
   * statistics, with {@link FinitenessChecks} after every phase (parameters before the step,
   * augmentation, attack, forward, loss, backward, optimizer), and names the first phase that produced
   * a NaN or an infinity. When one did, training stops: the parameters the re-run updated are never
   * checkpointed, and the epoch checkpoints written so far stay.
   */
  private Replay replayWithChecks(int epoch, int step, double lr, Batch batch, RandomGenerator replay,
      List<NDArray> statistics, ParameterStore parameters, NDManager sub) {
    optimizer.zeroGradients();
    restoreStatistics(statistics);
    FinitenessChecks checks = new FinitenessChecks(batch.indices());
    // parameters and gradients are not per image: their rows name no image
    FinitenessChecks state = new FinitenessChecks(new int[0]);
    StepDiagnosis found = null;
    double loss = Double.NaN;
    try {
      for (ModelParameter p : model.all()) {
        state.after(StepChecks.Phase.PARAMETERS, p.name() + (p.trainable() ? "" : " (batch-norm statistic)"),
            p.array());
      }
      NDArray lossArray = lossAndGradients(new StepContext(sub, parameters, replay, epoch, step, checks), batch);
      loss = lossArray.toType(DataType.FLOAT64, false).getDouble();
      List<ModelParameter> trainable = model.trainable();
      // backward visits the parameters from the loss down: the last one in forward order first
      for (int i = trainable.size() - 1; i >= 0; i--) {
        NDArray g = Gradients.gradientOrNull(trainable.get(i).array());
        if (g != null) {
          g.attach(sub);
          state.after(StepChecks.Phase.BACKWARD, "gradient of " + trainable.get(i).name(), g);
        }
      }
      optimizer.step(lr);
      for (ModelParameter p : trainable) {
        state.after(StepChecks.Phase.OPTIMIZER, optimizer.settings().describe() + " update of " + p.name(), p.array());
      }
    } catch (NonFiniteStepException e) {
      found = e.diagnosis();
    } finally {
      optimizer.zeroGradients();
    }
    return new Replay(found, loss);
  }
}
