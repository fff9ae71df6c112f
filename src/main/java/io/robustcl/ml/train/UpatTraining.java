package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.model.Network;

/**
 * UPAT (eq. 3 and 6): the instance-wise attack perturbs T(x) (UPAT table 4: the original x, t(x) or
 * t'(x); eq. 5 and the t'(x) row, which equals table 5's default row, attack t'(x)) to maximise the
 * attack loss (table 5: contrastive or MSE) against a target view; then
 * {@code L = L_cont(t(x), x_adv) + lambda L_cont(t'(x), x_adv)}, each L_cont the 2-view NT-Xent (eq. 4)
 * over the batch, computed from one forward pass of (t(x), t'(x), x_adv). Unlike RoCL, the training loss
 * does not depend on the attack loss type.
 */
public final class UpatTraining implements TrainingMethod {

  /**
   * @param attack PGD l_inf eps 0.03, step 2/256; the paper does not state K, 7 steps as in RoCL
   * @param attacked T(x), the perturbed image
   * @param target the image the attack's loss compares it with (UPAT eq. 5: t(x) when attacking t'(x));
   *     UPAT does not say what the "original x" row compares x with: t(x) here
   * @param lambda 1/256
   */
  public record Settings(PgdAttack attack, InstanceWiseAttack.Loss loss, InstanceWiseAttack.View attacked,
      InstanceWiseAttack.View target, double tau, double lambda) {

    public static Settings paper() {
      return new Settings(PgdAttack.linf(0.03, 2.0 / 256, 7), InstanceWiseAttack.Loss.CONTRASTIVE,
          InstanceWiseAttack.View.T_PRIME, InstanceWiseAttack.View.T, 0.5, 1.0 / 256);
    }
  }

  private final ImageTransform augmentation;
  private final Settings settings;
  private final InstanceWiseContrast contrast;

  public UpatTraining(Network network, ImageTransform augmentation, Settings settings) {
    this.augmentation = augmentation;
    this.settings = settings;
    this.contrast = new InstanceWiseContrast("upat", network, settings.attack(), settings.loss(), settings.tau());
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    ParameterStore ps = ctx.parameters();
    NDArray x = batch.images();
    NDArray t1 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t(x)", augmentation.apply(x, ctx.random()));
    NDArray t2 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t'(x)", augmentation.apply(x, ctx.random()));
    NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "instance-wise PGD, x_adv",
        contrast.perturb(ps, settings.attacked().select(x, t1, t2), settings.target().select(x, t1, t2), ctx.random()));
    NDArray views = Views.stack(t1, t2, adv);
    long n = t1.getShape().get(0);
    return () -> {
      NDArray z = ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of t(x), t'(x), x_adv", contrast.embed(ps, views));
      NDArray z1 = z.get("0:{}", n);
      NDArray z2 = z.get("{}:{}", n, 2 * n);
      NDArray za = z.get("{}:", 2 * n);
      NDArray first = contrast.ntXent(ctx, Views.stack(z1, za), 2, "L_cont(t(x), x_adv)");
      NDArray second = contrast.ntXent(ctx, Views.stack(z2, za), 2, "L_cont(t'(x), x_adv)");
      return first.add(DeviceScalars.uncounted().mul(second, settings.lambda()));
    };
  }
}
