package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.data.PadCropFlip;
import io.robustcl.ml.data.RandomGaussianBlur;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.train.BatchSource;
import io.robustcl.ml.train.CosineSchedule;
import io.robustcl.ml.train.LearningRateSchedule;
import io.robustcl.ml.train.ModelParameters;
import io.robustcl.ml.train.MultiStepSchedule;
import io.robustcl.ml.train.SgdOptimizer;
import io.robustcl.ml.train.SgdSettings;
import io.robustcl.ml.train.TrainingListener;
import io.robustcl.ml.train.TrainingLoop;
import io.robustcl.ml.train.TrainingMethod;
import io.robustcl.ml.train.TrainingOutcome;
import io.robustcl.ml.train.TrainingPlan;
import io.robustcl.ml.train.WarmupSchedule;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.StageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Runs an ml.train {@link TrainingLoop} for a training stage: optimiser and schedule from
 * {@link OptimizerParams}, epoch checkpoints in the stage's work directory (so a crashed run
 * resumes), progress to the engine, and {@code curve.csv} plus final metrics into the artifact.
 */
final class TrainingDriver {

  private TrainingDriver() {}

  /** The augmentation named by an {@code augment} param, or null for none. */
  static @Nullable ImageTransform augmentation(String name, int size) {
    return switch (name) {
      case "simclr" -> SimClrAugmentation.builder().optSize(size).build();
      // horizontal flip only: the SimCLR pipeline with the crop, jitter and grayscale switched off
      case "flip" -> SimClrAugmentation.builder().optSize(size).optScale(1, 1).optRatio(1, 1)
          .optJitterProbability(0).optGrayscaleProbability(0).build();
      // UPAT sec. 4.1: SimCLR's T including its random Gaussian blur (p 0.5, sigma ~ U[0.1, 2])
      case "simclr-blur" -> {
        SimClrAugmentation t = SimClrAugmentation.builder().optSize(size).build();
        RandomGaussianBlur blur = new RandomGaussianBlur(RandomGaussianBlur.SIMCLR_PROBABILITY);
        yield (images, random) -> {
          NDArray viewed = t.apply(images, random);
          NDArray blurred = blur.apply(viewed, random);
          viewed.close();
          return blurred;
        };
      }
      // Madry's and TRADES's CIFAR augmentation: RandomCrop(32, padding=4) + RandomHorizontalFlip
      case "crop-flip" -> new PadCropFlip(PadCropFlip.CIFAR_PADDING);
      case "none" -> null;
      default -> throw new IllegalArgumentException("unknown augmentation '" + name + "'");
    };
  }

  static SgdSettings sgd(OptimizerParams o) {
    return switch (o.optimizer()) {
      case "lars" -> SgdSettings.lars(o.momentum(), o.weightDecay());
      case "lars-all" -> SgdSettings.larsEveryParameter(o.momentum(), o.weightDecay());
      default -> SgdSettings.sgd(o.momentum(), o.weightDecay());
    };
  }

  /**
   * Reports every step as engine progress and records the per-epoch mean loss; {@link #finish}
   * writes {@code curve.csv} and the final metrics into the artifact.
   *
   * <p>The artifact must be a function of params and inputs alone (early cut-off compares
   * content hashes), so throughput, which depends on the machine, goes to the manifest's metrics,
   * never into a file. The curve is appended to the work directory as epochs finish, so that a
   * run resumed from a checkpoint still writes every epoch's line.
   */
  static final class CurveListener implements TrainingListener {
    /** Metric: wall-clock seconds this stage trained. */
    static final String SECONDS = "train_seconds";
    /** Metric: {@value #SECONDS} plus that of the pre-trained model it started from, recursively. */
    static final String TOTAL_SECONDS = "train_seconds_total";
    /** Metric: steps whose first computation was not finite and whose checked re-run was used. */
    static final String RECOMPUTED_STEPS = "recomputed_steps";

    private final StageContext ctx;
    private final String phase;
    private final Path epochLog;
    private final double upstreamSeconds;
    private final long started = System.nanoTime();
    private double imagesPerSecondSum;
    private int epochsTimed;

    CurveListener(StageContext ctx, String phase) {
      this(ctx, phase, null);
    }

    /**
     * @param upstream the model this stage trains on top of: its {@value #TOTAL_SECONDS} (or its own
     *     {@value #SECONDS}) adds to this stage's training cost
     */
    CurveListener(StageContext ctx, String phase, @Nullable Artifact upstream) {
      this.ctx = ctx;
      this.phase = phase;
      this.epochLog = ctx.workDir().resolve("curve-" + phase + ".csv");
      this.upstreamSeconds = upstream == null ? 0
          : upstream.metrics().getOrDefault(TOTAL_SECONDS, upstream.metrics().getOrDefault(SECONDS, 0.0));
    }

    @Override
    public void stepFinished(StepReport r) {
      ctx.progress(new Progress(phase, r.epoch() + 1, r.epochs(), r.step() + 1, r.stepsPerEpoch(), r.loss(),
          r.imagesPerSecond()));
    }

    @Override
    public void epochFinished(EpochReport r) {
      imagesPerSecondSum += r.imagesPerSecond();
      epochsTimed++;
      String line = String.format(Locale.ROOT, "%d,%.6f%n", r.epoch() + 1, r.meanLoss());
      try {
        Files.createDirectories(epochLog.getParent());
        Files.writeString(epochLog, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot record the training curve in " + epochLog, e);
      }
    }

    @Override
    public void resumed(int nextEpoch, java.nio.file.Path checkpoint) {
      ctx.log("resuming at epoch " + (nextEpoch + 1) + " from " + checkpoint.getFileName());
    }

    @Override
    public void stepRecomputed(RecomputedStep r) {
      ctx.log(String.format(Locale.ROOT, "epoch %d step %d: the %s was not finite (loss %s); the step's re-run"
          + " with finiteness checks was finite in every phase and its update was used", r.epoch() + 1,
          r.step() + 1, r.what(), r.firstLoss(), r.loss()));
    }

    /** Writes the whole curve (a resumed epoch's latest line wins) and the final metrics. */
    void finish(TrainingOutcome outcome) throws IOException {
      SortedMap<Integer, String> byEpoch = new TreeMap<>();
      if (Files.exists(epochLog)) {
        for (String line : Files.readAllLines(epochLog, StandardCharsets.UTF_8)) {
          int epoch = Integer.parseInt(line.substring(0, line.indexOf(',')));
          if (epoch <= outcome.epochs()) {
            byEpoch.put(epoch, line);
          }
        }
      }
      StringBuilder curve = new StringBuilder("epoch,mean_loss\n");
      byEpoch.values().forEach(line -> curve.append(line).append('\n'));
      Files.writeString(ctx.outputDir().resolve("curve.csv"), curve.toString(), StandardCharsets.UTF_8);
      ctx.putMetric("epochs", outcome.epochs());
      ctx.putMetric("final_loss", outcome.lastEpochMeanLoss());
      // steps recomputed after a transient non-finite value (see TrainingLoop) in this run of the stage
      ctx.putMetric(RECOMPUTED_STEPS, outcome.recomputedSteps());
      if (epochsTimed > 0) {
        ctx.putMetric("images_per_second", imagesPerSecondSum / epochsTimed);
      }
      // the training-cost column (RUSH's claim of far lower cost): wall time of this run, and with
      // everything it was trained on top of; a run resumed from a checkpoint counts from the resume
      double seconds = (System.nanoTime() - started) / 1e9;
      ctx.putMetric(SECONDS, seconds);
      ctx.putMetric(TOTAL_SECONDS, seconds + upstreamSeconds);
    }
  }

  static LearningRateSchedule schedule(OptimizerParams o) {
    LearningRateSchedule main = switch (o.schedule()) {
      case "cosine" -> CosineSchedule.perEpoch(o.lr() * o.warmupMultiplier(), o.lrMin(), o.epochs());
      case "multistep" -> MultiStepSchedule.atFractions(o.lr() * o.warmupMultiplier(), o.epochs(), o.gamma(),
          o.milestones().stream().mapToDouble(Double::doubleValue).toArray());
      case "constant" -> (epoch, step) -> o.lr() * o.warmupMultiplier();
      default -> throw new IllegalArgumentException("unknown schedule '" + o.schedule() + "'");
    };
    return o.warmupEpochs() > 0 ? new WarmupSchedule(o.lr(), o.warmupMultiplier(), o.warmupEpochs(), main) : main;
  }

  /**
   * Trains {@code network}'s currently trainable parameters with {@code method} on {@code train}.
   *
   * @param trainable the parameters the optimiser updates and checkpoints save
   */
  static TrainingOutcome train(
      StageContext ctx, NDManager manager, Network network, ModelParameters trainable, TrainingMethod method,
      ImageSet train, OptimizerParams o, long seed, String phase, @Nullable Artifact upstream) throws IOException {
    return train(ctx, manager, network, trainable, method, train, o, seed, phase, upstream,
        ctx.workDir().resolve("checkpoints"));
  }

  /** As {@link #train}, with the epoch checkpoints in {@code checkpoints} (a stage with two training phases). */
  static TrainingOutcome train(
      StageContext ctx, NDManager manager, Network network, ModelParameters trainable, TrainingMethod method,
      ImageSet train, OptimizerParams o, long seed, String phase, @Nullable Artifact upstream, Path checkpoints)
      throws IOException {
    if (train.size() < 2) {
      throw new IllegalArgumentException("stage '" + ctx.stageName() + "': the train split has " + train.size()
          + " images; training needs at least 2");
    }
    int batchSize = Math.min(o.batchSize(), train.size());
    BatchLoader loader = new BatchLoader(train, batchSize, true, true, seed);
    SgdOptimizer optimizer = new SgdOptimizer(trainable, sgd(o), manager);
    CurveListener listener = new CurveListener(ctx, phase, upstream);
    TrainingLoop loop = new TrainingLoop(trainable, optimizer, schedule(o), method, BatchSource.of(loader), listener,
        ctx::isCancelled);
    TrainingOutcome outcome =
        loop.run(manager, new TrainingPlan(phase, o.epochs(), seed, checkpoints));
    listener.finish(outcome);
    return outcome;
  }
}
