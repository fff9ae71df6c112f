package io.robustcl.ml.train;

import ai.djl.ndarray.NDManager;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Fine-tuning of f and l together from a pre-trained encoder (RoCL table 1): {@code at} (Madry AT),
 * {@code trades} (TRADES, beta 6) or {@code at+ss} ({@link SelfSupervisedAt}: AT plus the clean SimCLR
 * loss through the projector, as RoCL's public code).
 */
public final class FineTuning {
  /** The fine-tuning objective. */
  public enum Mode { AT, TRADES, AT_SS }

  /**
   * @param augmentation the supervised augmentation of the AT/TRADES term (null: none)
   * @param selfSupervisedAugmentation T of the self-supervised term of {@code at+ss}
   * @param selfSupervisedWeight weight of that term (RoCL's public code: 1)
   */
  public record Settings(
      Mode mode,
      int epochs,
      int batchSize,
      LearningRateSchedule schedule,
      SgdSettings sgd,
      PgdAttack attack,
      double tradesBeta,
      @Nullable ImageTransform augmentation,
      @Nullable ImageTransform selfSupervisedAugmentation,
      double selfSupervisedWeight,
      long seed,
      @Nullable Path checkpoints) {
    /**
     * PGD-10 l_inf 8/255 step 2/255, beta 6, SGD lr 0.1 mom 0.9 wd 5e-4 decayed x0.1 at 50% and 75% of the
     * epochs (the usual AT recipe; RoCL's text gives no fine-tuning schedule); the same values as the
     * {@code fine-tune} preset, stages/fine-tune.yaml.
     */
    public static Settings defaults(Mode mode, int epochs, long seed) {
      return new Settings(mode, epochs, 128, MultiStepSchedule.atFractions(0.1, epochs, 0.1, 0.5, 0.75),
          SgdSettings.sgd(0.9, 5e-4), PgdAttack.linf(8.0 / 255, 2.0 / 255, 10), 6, null, null,
          1.0, seed, null);
    }
  }

  private final Network network;
  private final ImageSet train;
  private final Settings settings;

  public FineTuning(Network network, ImageSet train, Settings settings) {
    if (network.head() == null) {
      throw new IllegalArgumentException("fine-tuning needs a network with a head; use network.withHead(classes, ...)");
    }
    if (settings.mode() == Mode.AT_SS && (network.projector() == null || settings.selfSupervisedAugmentation() == null)) {
      throw new IllegalArgumentException("fine-tuning at+ss needs a projector and the self-supervised augmentation T");
    }
    this.network = network;
    this.train = train;
    this.settings = settings;
  }

  /** Trains f and l in place. */
  public TrainingOutcome run(NDManager manager, TrainingListener listener, CancellationCheck cancellation) {
    TrainingMethod method = switch (settings.mode()) {
      case AT -> supervised(SupervisedTraining.Objective.AT);
      case TRADES -> supervised(SupervisedTraining.Objective.TRADES);
      case AT_SS -> new SelfSupervisedAt(network, supervised(SupervisedTraining.Objective.AT),
          settings.selfSupervisedAugmentation(), 0.5, settings.selfSupervisedWeight());
    };
    ModelParameters parameters = ModelParameters.of(network.parameters());
    SgdOptimizer sgd = new SgdOptimizer(parameters, settings.sgd(), manager);
    BatchSource data = BatchSource.of(new BatchLoader(train, settings.batchSize(), true, false, settings.seed()));
    return new TrainingLoop(parameters, sgd, settings.schedule(), method, data, listener, cancellation)
        .run(manager, new TrainingPlan("fine-tune-" + settings.mode().name().toLowerCase(), settings.epochs(), settings.seed(),
            settings.checkpoints()));
  }

  private SupervisedTraining supervised(SupervisedTraining.Objective objective) {
    return new SupervisedTraining(network, settings.augmentation(),
        new SupervisedTraining.Settings(objective, settings.attack(), settings.tradesBeta()));
  }

}
