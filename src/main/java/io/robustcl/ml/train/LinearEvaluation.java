package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.loss.CrossEntropyLoss;
import io.robustcl.ml.loss.TradesKlLoss;
import io.robustcl.ml.model.Network;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Linear evaluation: the encoder f is frozen and only the head l is trained with cross-entropy (RoCL "LE",
 * ASCL "standard partial fine-tuning", RUSH); with {@link Settings#adversarial} it is RoCL's robust linear
 * evaluation r-LE (eq. 7): l is trained on PGD class-adversarial examples through f and l.
 *
 * <p>With {@link Settings#tradesBeta} the adversarial head trains on TRADES instead (ASCL section
 * 4.1.1: "the TRADES loss for adversarial fine-tuning"); with {@link Settings#trainBnBias} the encoder's
 * batch-norm biases train too (RUSH).
 *
 * <p>The network must have a head (see {@link Network#withHead}); its encoder is frozen for the duration
 * of {@link #run} and unfrozen afterwards. With {@link Settings#adaptBn} f's batch norms run in training
 * mode, so their statistics adapt to the (noisy) training inputs as in RUSH; otherwise f runs in
 * inference mode.
 */
public final class LinearEvaluation {
  /**
   * @param augmentation applied to each training batch (null: none)
   * @param noise RUSH's Q applied after the augmentation (null: none)
   * @param adversarial the attack of the adversarial head training (r-LE: PGD-10 l_inf 8/255), null for clean LE
   * @param tradesBeta 0: the adversarial head trains on CE of the PGD examples (RoCL r-LE); > 0: on
   *     TRADES with this beta, x_adv maximising the KL term (ASCL's adversarial fine-tuning, "LAF")
   * @param trainBnBias also train the encoder's batch-norm biases (beta), RUSH's fine-tuning (its
   *     appendix B: "the bias of the BatchNorm layers of f is not frozen")
   */
  public record Settings(
      int epochs,
      int batchSize,
      LearningRateSchedule schedule,
      SgdSettings sgd,
      @Nullable ImageTransform augmentation,
      @Nullable ImageTransform noise,
      boolean adaptBn,
      @Nullable PgdAttack adversarial,
      double tradesBeta,
      boolean trainBnBias,
      long seed,
      @Nullable Path checkpoints) {
    /** RoCL's public code: 150 epochs, batch 1024, SGD lr 0.1 mom 0.9 wd 5e-4, lr /10 at epochs 30, 50, 100. */
    public static Settings rocl(long seed) {
      return new Settings(150, 1024, new MultiStepSchedule(0.1, List.of(30, 50, 100), 0.1), SgdSettings.sgd(0.9, 5e-4),
          null, null, false, null, 0, false, seed, null);
    }

    /** RoCL r-LE: the same schedule, PGD-10 l_inf 8/255 step 2/255 training examples. */
    public static Settings roclRobust(long seed) {
      return rocl(seed).withAdversarial(PgdAttack.linf(8.0 / 255, 2.0 / 255, 10));
    }

    /** ASCL: 10 epochs, lr 0.1. */
    public static Settings ascl(long seed) {
      return new Settings(10, 512, LearningRateSchedule.constant(0.1), SgdSettings.sgd(0.9, 2e-4), null, null, false, null,
          0, false, seed, null);
    }

    /**
     * RUSH appendix B: 25 epochs, batch 512, SGD lr 0.1 mom 0.9 wd 2e-4, cosine to 0.001, training on
     * Q(x), f's BN statistics adapting and its BN biases trained.
     */
    public static Settings rush(ImageTransform noise, long seed) {
      return new Settings(25, 512, CosineSchedule.perEpoch(0.1, 0.001, 25), SgdSettings.sgd(0.9, 2e-4), null, noise, true,
          null, 0, true, seed, null);
    }

    public Settings withEpochs(int e) {
      return new Settings(e, batchSize, schedule, sgd, augmentation, noise, adaptBn, adversarial, tradesBeta, trainBnBias,
          seed, checkpoints);
    }

    public Settings withBatchSize(int b) {
      return new Settings(epochs, b, schedule, sgd, augmentation, noise, adaptBn, adversarial, tradesBeta, trainBnBias,
          seed, checkpoints);
    }

    public Settings withSchedule(LearningRateSchedule s) {
      return new Settings(epochs, batchSize, s, sgd, augmentation, noise, adaptBn, adversarial, tradesBeta, trainBnBias,
          seed, checkpoints);
    }

    public Settings withAdversarial(@Nullable PgdAttack a) {
      return new Settings(epochs, batchSize, schedule, sgd, augmentation, noise, adaptBn, a, tradesBeta, trainBnBias,
          seed, checkpoints);
    }

    public Settings withTradesBeta(double beta) {
      return new Settings(epochs, batchSize, schedule, sgd, augmentation, noise, adaptBn, adversarial, beta, trainBnBias,
          seed, checkpoints);
    }

    public Settings withCheckpoints(@Nullable Path dir) {
      return new Settings(epochs, batchSize, schedule, sgd, augmentation, noise, adaptBn, adversarial, tradesBeta,
          trainBnBias, seed, dir);
    }
  }

  private final Network network;
  private final ImageSet train;
  private final Settings settings;

  public LinearEvaluation(Network network, ImageSet train, Settings settings) {
    if (network.head() == null) {
      throw new IllegalArgumentException("linear evaluation needs a network with a head; use network.withHead(classes, ...)");
    }
    if (train.classes().size() != network.spec().classes()) {
      throw new IllegalArgumentException("training set has " + train.classes().size() + " classes but the head has "
          + network.spec().classes());
    }
    this.network = network;
    this.train = train;
    this.settings = settings;
  }

  /** Trains the head in place; the network's encoder is unchanged (up to BN statistics with adaptBn). */
  public TrainingOutcome run(NDManager manager, TrainingListener listener, CancellationCheck cancellation) {
    network.freezeEncoder(true);
    if (settings.trainBnBias()) {
      network.unfreezeEncoderBatchNormBiases();
    }
    try {
      List<NDArray> parameterArrays = FrozenParameters.arraysOf(network.parameters());
      CrossEntropyLoss ce = new CrossEntropyLoss();
      TradesKlLoss kl = new TradesKlLoss();
      boolean training = settings.adaptBn();
      TrainingMethod method = (ctx, batch) -> {
        ParameterStore ps = ctx.parameters();
        NDArray x = batch.images();
        NDArray y = batch.labels();
        if (settings.augmentation() != null) {
          x = settings.augmentation().apply(x, ctx.random());
        }
        if (settings.noise() != null) {
          x = settings.noise().apply(x, ctx.random());
        }
        NDArray clean = x;
        PgdAttack attack = settings.adversarial();
        if (attack == null) {
          return () -> ce.loss(network.logits(ps, clean, training), y);
        }
        if (settings.tradesBeta() > 0) {
          NDArray cleanLogits = network.logits(ps, clean, false).stopGradient();
          NDArray adv = attack.perturb(clean, in -> kl.perSample(cleanLogits, network.logits(ps, in, false)),
              parameterArrays, ctx.random());
          float beta = (float) settings.tradesBeta();
          return () -> {
            NDArray natural = network.logits(ps, clean, training);
            return ce.loss(natural, y).add(DeviceScalars.uncounted().mul(kl.loss(natural, network.logits(ps, adv, training)), beta));
          };
        }
        NDArray adv = attack.perturb(clean,
            new ClassificationObjective(in -> network.logits(ps, in, false), y, network.spec().classes()),
            parameterArrays, ctx.random());
        return () -> ce.loss(network.logits(ps, adv, training), y);
      };
      ModelParameters parameters = ModelParameters.of(network.parameters());
      SgdOptimizer sgd = new SgdOptimizer(parameters, settings.sgd(), manager);
      BatchSource data = BatchSource.of(new BatchLoader(train, settings.batchSize(), true, false, settings.seed()));
      String name = settings.adversarial() == null ? "linear-eval" : "robust-linear-eval";
      return new TrainingLoop(parameters, sgd, settings.schedule(), method, data, listener, cancellation)
          .run(manager, new TrainingPlan(name, settings.epochs(), settings.seed(), settings.checkpoints()));
    } finally {
      network.freezeEncoder(false);
    }
  }
}
