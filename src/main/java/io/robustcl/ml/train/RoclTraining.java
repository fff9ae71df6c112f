package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;

/**
 * RoCL (Kim et al. 2020, eq. 4-6): with t, t' ~ T, the instance-wise attack perturbs t(x) to maximise the
 * contrastive loss against its target (t'(x) by default), then
 * {@code L = NT-Xent_3views(t(x), t'(x), t(x)_adv) + (1/lambda) NT-Xent(t(x)_adv, t'(x))}.
 *
 * <p>Eq. 6 writes the second weight as lambda; the public code (and METHODS.md) divide by lambda = 256,
 * which is what {@link Settings#lambda} means here. The second term has its own forward pass of
 * (t(x)_adv, t'(x)), as in the public code, so its batch-norm statistics are those of 2N images.
 */
public final class RoclTraining implements TrainingMethod {
  /**
   * @param attack the instance-wise attack's search (PGD-7 l_inf eps 0.0314 step 0.007, random start)
   * @param loss the attack loss (RoCL table 7: contrastive by default)
   * @param target the attack target (RoCL table 5)
   * @param tau NT-Xent temperature (0.5)
   * @param lambda the second term is divided by lambda (256); infinity drops it
   */
  public record Settings(PgdAttack attack, InstanceWiseAttack.Loss loss, InstanceWiseAttack.Target target, double tau, double lambda) {
    public Settings {
      if (!(lambda > 0)) {
        throw new IllegalArgumentException("rocl: lambda must be > 0, got " + lambda);
      }
    }

    public static Settings paper() {
      return new Settings(PgdAttack.linf(0.0314, 0.007, 7), InstanceWiseAttack.Loss.CONTRASTIVE,
          InstanceWiseAttack.Target.OTHER_VIEW, 0.5, 256);
    }
  }

  private final ImageTransform augmentation;
  private final Settings settings;
  private final InstanceWiseContrast contrast;

  public RoclTraining(Network network, ImageTransform augmentation, Settings settings) {
    this.augmentation = augmentation;
    this.settings = settings;
    this.contrast = new InstanceWiseContrast("rocl", network, settings.attack(), settings.loss(), settings.tau());
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    ParameterStore ps = ctx.parameters();
    NDArray x = batch.images();
    NDArray t1 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t(x)", augmentation.apply(x, ctx.random()));
    NDArray t2 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t'(x)", augmentation.apply(x, ctx.random()));
    NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "instance-wise PGD, t(x)_adv",
        contrast.perturb(ps, t1, settings.target().select(x, t1, t2), ctx.random()));
    NDArray threeViews = Views.stack(t1, t2, adv);
    NDArray advPair = Double.isInfinite(settings.lambda()) ? null : Views.stack(adv, t2);
    return () -> {
      NDArray z3 = ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of t(x), t'(x), t(x)_adv",
          contrast.embed(ps, threeViews));
      NDArray loss = contrast.ntXent(ctx, z3, 3, "NT-Xent over t(x), t'(x), t(x)_adv");
      if (advPair != null) {
        NDArray z2 = ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of t(x)_adv, t'(x)", contrast.embed(ps, advPair));
        loss = loss.add(contrast.ntXent(ctx, z2, 2, "NT-Xent(t(x)_adv, t'(x))").div((float) settings.lambda()));
      }
      return loss;
    };
  }
}
