package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.loss.CrossEntropyLoss;
import io.robustcl.ml.loss.TradesKlLoss;
import io.robustcl.ml.model.Network;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The supervised objectives on the full classifier l(f(.)): {@code ce} (standard training),
 * {@code at} (Madry et al. 2018: CE on PGD examples, min-max of RoCL eq. 2) and {@code trades}
 * (Zhang et al. 2019: {@code CE(l(f(x)), y) + beta KL(p(x) || p(x_adv))}, x_adv maximising the KL term).
 * Attacks run on the network in inference mode with parameter gradients off; the training loss uses
 * training mode. The batch is first augmented with {@code augmentation} when given.
 */
public final class SupervisedTraining implements TrainingMethod {
  /** Which supervised objective. */
  public enum Objective { CE, AT, TRADES }

  /**
   * @param attack the inner maximisation (AT and TRADES); Madry/TRADES default: PGD-10 l_inf 8/255 step 2/255
   * @param beta TRADES's trade-off (6 in the paper)
   */
  public record Settings(Objective objective, PgdAttack attack, double beta) {
    public static Settings ce() {
      return new Settings(Objective.CE, madry(), 0);
    }

    public static Settings at() {
      return new Settings(Objective.AT, madry(), 0);
    }

    public static Settings trades() {
      return new Settings(Objective.TRADES, madry(), 6);
    }

    /** PGD-10 l_inf, eps 8/255, step 2/255, random start. */
    public static PgdAttack madry() {
      return PgdAttack.linf(8.0 / 255, 2.0 / 255, 10);
    }
  }

  private final Network network;
  private final @Nullable ImageTransform augmentation;
  private final Settings settings;
  private final List<NDArray> parameterArrays;
  private final CrossEntropyLoss ce = new CrossEntropyLoss();
  private final TradesKlLoss kl = new TradesKlLoss();

  public SupervisedTraining(Network network, @Nullable ImageTransform augmentation, Settings settings) {
    if (network.head() == null) {
      throw new IllegalArgumentException("method " + settings.objective().name().toLowerCase() + " needs a network with a linear head");
    }
    this.network = network;
    this.augmentation = augmentation;
    this.settings = settings;
    this.parameterArrays = FrozenParameters.arraysOf(network.parameters());
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    ParameterStore ps = ctx.parameters();
    NDArray x = augmentation == null ? batch.images()
        : ctx.checked(StepChecks.Phase.AUGMENTATION, "augmentation", augmentation.apply(batch.images(), ctx.random()));
    NDArray y = batch.labels();
    int classes = network.spec().classes();
    return switch (settings.objective()) {
      case CE -> () -> ce.loss(ctx.checked(StepChecks.Phase.FORWARD, "l(f(x))", network.logits(ps, x, true)), y);
      case AT -> {
        NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "PGD x_adv", settings.attack().perturb(
            x, new ClassificationObjective(in -> network.logits(ps, in, false), y, classes), parameterArrays, ctx.random()));
        yield () -> ce.loss(ctx.checked(StepChecks.Phase.FORWARD, "l(f(x_adv))", network.logits(ps, adv, true)), y);
      }
      case TRADES -> {
        NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "TRADES PGD x_adv", tradesExample(ps, x, ctx.random()));
        yield () -> {
          // one forward of clean and adversarial inputs together would mix their batch statistics; TRADES's code runs two
          NDArray clean = ctx.checked(StepChecks.Phase.FORWARD, "l(f(x))", network.logits(ps, x, true));
          NDArray robust = ctx.checked(StepChecks.Phase.FORWARD, "l(f(x_adv))", network.logits(ps, adv, true));
          return ce.loss(clean, y).add(kl.loss(clean, robust).mul((float) settings.beta()));
        };
      }
    };
  }

  /** x_adv = argmax KL(p(x) || p(x')) over the ball (TRADES eq. 5 inner problem), p(x) fixed. */
  NDArray tradesExample(ParameterStore ps, NDArray x, java.util.random.RandomGenerator random) {
    NDArray cleanLogits = network.logits(ps, x, false).stopGradient();
    return settings.attack().perturb(x, in -> kl.perSample(cleanLogits, network.logits(ps, in, false)), parameterArrays,
        random);
  }
}
