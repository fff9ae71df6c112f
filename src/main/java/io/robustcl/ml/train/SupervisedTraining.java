package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.Attack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.HostTransfer;
import io.robustcl.ml.loss.CrossEntropyLoss;
import io.robustcl.ml.loss.TradesKlLoss;
import io.robustcl.ml.model.Network;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The supervised objectives on the full classifier l(f(.)): {@code ce} (standard training),
 * {@code at} (Madry et al. 2018: CE on PGD examples, min-max of RoCL eq. 2), {@code trades}
 * (Zhang et al. 2019: {@code CE(l(f(x)), y) + beta KL(p(x) || p(x_adv))}, x_adv maximising the KL term),
 * and UPAT's supervised baselines:
 *
 * <ul>
 *   <li>{@code alp}, adversarial logit pairing (Kannan, Kurakin and Goodfellow 2018, eq. for ALP):
 *       {@code CE(l(f(x_adv)), y) + beta mean_n ||l(f(x_n)) - l(f(x_adv,n))||_2^2}, x_adv from the AT attack
 *       (Madry's PGD, as UPAT's comparison trains every baseline against PGD l_inf);
 *   <li>{@code ss-ood}, AT with an auxiliary rotation head (Hendrycks et al. 2019, "Using self-supervised
 *       learning can improve model robustness and uncertainty", sec. 3 and its public adversarial code):
 *       the batch is presented at the four rotations 0/90/180/270 degrees; PGD maximises, per rotated copy,
 *       the class CE of the unrotated copy plus 1/8 of the rotation CE; the loss is the class CE of the
 *       adversarial unrotated copy plus {@code beta} (0.5) times the mean rotation CE over all 4N
 *       adversarial copies. The rotation head r: f -> 4 is the network's one-layer projector g;
 *   <li>{@code msd}, Robust-Union (Maini et al. 2020): CE on {@link io.robustcl.ml.attack.MultiSteepestDescent}
 *       examples, the worst over l_inf, l_2 and l_1 at every step.
 * </ul>
 *
 * Attacks run on the network in inference mode with parameter gradients off; the training loss uses
 * training mode. The batch is first augmented with {@code augmentation} when given.
 */
public final class SupervisedTraining implements TrainingMethod {
  /** Which supervised objective. */
  public enum Objective { CE, AT, TRADES, ALP, SS_OOD, MSD }

  /** The rotation classes of SS-OOD: 0, 90, 180 and 270 degrees. */
  static final int ROTATIONS = 4;

  /**
   * @param attack the inner maximisation (AT, TRADES, ALP, SS-OOD: PGD; MSD: multi steepest descent);
   *     Madry/TRADES default: PGD-10 l_inf 8/255 step 2/255
   * @param beta TRADES's trade-off (6 in the paper); ALP's pairing weight lambda; SS-OOD's rotation-loss
   *     weight (0.5 in Hendrycks et al.'s code)
   */
  public record Settings(Objective objective, Attack attack, double beta) {
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
    if (settings.objective() == Objective.SS_OOD
        && (network.projector() == null || !network.spec().projectorDims().equals(List.of(ROTATIONS)))) {
      throw new IllegalArgumentException("method ss-ood needs its rotation head as a one-layer projector: projector [4]");
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
      case AT, MSD -> {
        NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "PGD x_adv", classAdversarial(ps, x, y, ctx.random()));
        yield () -> ce.loss(ctx.checked(StepChecks.Phase.FORWARD, "l(f(x_adv))", network.logits(ps, adv, true)), y);
      }
      case ALP -> {
        NDArray adv = classAdversarial(ps, x, y, ctx.random());
        yield () -> {
          NDArray clean = network.logits(ps, x, true);
          NDArray robust = network.logits(ps, adv, true);
          NDArray pairing = clean.sub(robust).square().sum(new int[] {1}).mean();
          return ce.loss(robust, y).add(DeviceScalars.uncounted().mul(pairing, settings.beta()));
        };
      }
      case SS_OOD -> ssOod(ps, x, y, ctx.random());
      case TRADES -> {
        NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "TRADES PGD x_adv", tradesExample(ps, x, ctx.random()));
        yield () -> {
          // one forward of clean and adversarial inputs together would mix their batch statistics; TRADES's code runs two
          NDArray clean = ctx.checked(StepChecks.Phase.FORWARD, "l(f(x))", network.logits(ps, x, true));
          NDArray robust = ctx.checked(StepChecks.Phase.FORWARD, "l(f(x_adv))", network.logits(ps, adv, true));
          return ce.loss(clean, y).add(DeviceScalars.uncounted().mul(kl.loss(clean, robust), settings.beta()));
        };
      }
    };
  }

  private NDArray classAdversarial(ParameterStore ps, NDArray x, NDArray y, java.util.random.RandomGenerator random) {
    return settings.attack().perturb(x, new ClassificationObjective(in -> network.logits(ps, in, false), y,
        network.spec().classes()), parameterArrays, random);
  }

  /** SS-OOD's step: the batch at 4 rotations, attacked on class + rotation CE, trained on both heads. */
  private BatchLoss ssOod(ParameterStore ps, NDArray x, NDArray y, java.util.random.RandomGenerator random) {
    long n = x.getShape().get(0);
    NDArray rotated = rotations(x);
    NDManager m = x.getManager();
    long[] rotationLabels = new long[(int) (ROTATIONS * n)];
    float[] unrotated = new float[rotationLabels.length];
    for (int i = 0; i < rotationLabels.length; i++) {
      rotationLabels[i] = i / n;
      unrotated[i] = i < n ? 1f : 0f;
    }
    Shape all = new Shape(rotationLabels.length);
    NDArray r = HostTransfer.upload(m, rotationLabels, all);
    NDArray classMask = HostTransfer.upload(m, unrotated, all);
    NDArray yAll = y.toType(DataType.INT64, false).tile(ROTATIONS);
    // per rotated copy: class CE on the unrotated copy (mask) + rotation CE / 8 (Hendrycks et al.'s PGD)
    NDArray adv = settings.attack().perturb(rotated, in -> {
      NDArray h = network.features(ps, in, false);
      NDArray classLoss = ce.perSample(network.classify(ps, h, false), yAll).mul(classMask);
      return classLoss.add(DeviceScalars.uncounted().div(ce.perSample(network.project(ps, h, false), r), 8));
    }, parameterArrays, random);
    return () -> {
      NDArray h = network.features(ps, adv, true);
      NDArray classLoss = ce.loss(network.classify(ps, h.get("0:{}", n), true), y);
      return classLoss.add(DeviceScalars.uncounted().mul(ce.loss(network.project(ps, h, true), r), settings.beta()));
    };
  }

  /** x rotated by 0, 90, 180 and 270 degrees (counter-clockwise, torch.rot90 on H, W), stacked (4N, C, H, W). */
  static NDArray rotations(NDArray x) {
    NDArray r90 = x.transpose(0, 1, 3, 2).flip(2);
    NDArray r180 = x.flip(2, 3);
    NDArray r270 = x.transpose(0, 1, 3, 2).flip(3);
    return NDArrays.concat(new NDList(x, r90, r180, r270));
  }

  /** x_adv = argmax KL(p(x) || p(x')) over the ball (TRADES eq. 5 inner problem), p(x) fixed. */
  NDArray tradesExample(ParameterStore ps, NDArray x, java.util.random.RandomGenerator random) {
    NDArray cleanLogits = network.logits(ps, x, false).stopGradient();
    return settings.attack().perturb(x, in -> kl.perSample(cleanLogits, network.logits(ps, in, false)), parameterArrays,
        random);
  }
}
