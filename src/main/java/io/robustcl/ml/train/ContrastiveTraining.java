package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.loss.NtXentLoss;
import io.robustcl.ml.loss.SupConLoss;
import io.robustcl.ml.model.Network;
import org.jspecify.annotations.Nullable;

/**
 * The non-adversarial contrastive objectives on z = g(f(.)) of two views t(x), t'(x) ~ T:
 * {@code simclr}: NT-Xent(t(x), t'(x)) (Chen et al. 2020); {@code scl}: SupCon on the two views with
 * the batch's labels (Khosla et al. 2020, ASCL eq. 7); {@code rush}: NT-Xent(t(x), Q(t'(x))) with the
 * randomised-smoothing noise Q on the second view (RUSH). Both views go through one forward pass.
 */
public final class ContrastiveTraining implements TrainingMethod {
  /** Which contrastive objective. */
  public enum Objective { SIMCLR, SCL, RUSH }

  /** @param tau temperature (0.5 in SimCLR-on-CIFAR, RoCL, UPAT, RUSH) */
  public record Settings(Objective objective, double tau) {
    public static Settings simclr() {
      return new Settings(Objective.SIMCLR, 0.5);
    }

    public static Settings scl() {
      return new Settings(Objective.SCL, 0.5);
    }

    public static Settings rush() {
      return new Settings(Objective.RUSH, 0.5);
    }
  }

  private final Network network;
  private final ImageTransform augmentation;
  private final @Nullable ImageTransform noise;
  private final Settings settings;

  /**
   * @param augmentation T
   * @param noise Q, required for {@code rush} (e.g. {@code new UniformNoise()}, U(-0.3, 0.3)), ignored otherwise
   */
  public ContrastiveTraining(Network network, ImageTransform augmentation, @Nullable ImageTransform noise, Settings settings) {
    if (network.projector() == null) {
      throw new IllegalArgumentException("method " + settings.objective().name().toLowerCase() + " needs a network with a projector");
    }
    if (settings.objective() == Objective.RUSH && noise == null) {
      throw new IllegalArgumentException("method rush needs the noise Q (uniform or gaussian)");
    }
    this.network = network;
    this.augmentation = augmentation;
    this.noise = noise;
    this.settings = settings;
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    ParameterStore ps = ctx.parameters();
    NDArray v1 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t(x)", augmentation.apply(batch.images(), ctx.random()));
    NDArray v2 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t'(x)", augmentation.apply(batch.images(), ctx.random()));
    if (settings.objective() == Objective.RUSH) {
      v2 = ctx.checked(StepChecks.Phase.AUGMENTATION, "noise Q(t'(x))", noise.apply(v2, ctx.random()));
    }
    NDArray views = Views.stack(v1, v2);
    return switch (settings.objective()) {
      case SIMCLR, RUSH -> () -> {
        NtXentLoss ntXent = new NtXentLoss(settings.tau());
        NDArray z = ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of both views", network.projection(ps, views, true));
        return ntXent.reduce(ctx.checked(StepChecks.Phase.LOSS, "NT-Xent", ntXent.perAnchor(z, 2)));
      };
      case SCL -> {
        NDArray labels = Views.stack(batch.labels(), batch.labels());
        yield () -> new SupConLoss(settings.tau()).loss(
            ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of both views", network.projection(ps, views, true)), labels);
      }
    };
  }
}
