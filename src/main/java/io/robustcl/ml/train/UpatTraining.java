package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;

/**
 * UPAT (eq. 3 and 6): the instance-wise attack perturbs T(x), T one of {t, t'} (UPAT table 4), to
 * maximise the attack loss against the other view; then
 * {@code L = L_cont(t(x), x_adv) + lambda L_cont(t'(x), x_adv)}, each L_cont the 2-view NT-Xent (eq. 4)
 * over the batch, computed from one forward pass of (t(x), t'(x), x_adv).
 */
public final class UpatTraining implements TrainingMethod {
  /** Which view the attack perturbs. */
  public enum AttackedView { T, T_PRIME }

  /**
   * @param attack PGD l_inf eps 0.03, step 2/256; the paper does not state K, 7 steps as in RoCL
   * @param lambda 1/256
   */
  public record Settings(PgdAttack attack, InstanceWiseAttack.Loss loss, AttackedView attacked, double tau, double lambda) {
    public static Settings paper() {
      return new Settings(PgdAttack.linf(0.03, 2.0 / 256, 7), InstanceWiseAttack.Loss.CONTRASTIVE, AttackedView.T, 0.5, 1.0 / 256);
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
    NDArray t1 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t(x)", augmentation.apply(batch.images(), ctx.random()));
    NDArray t2 = ctx.checked(StepChecks.Phase.AUGMENTATION, "view t'(x)", augmentation.apply(batch.images(), ctx.random()));
    boolean onT = settings.attacked() == AttackedView.T;
    NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "instance-wise PGD, x_adv",
        contrast.perturb(ps, onT ? t1 : t2, onT ? t2 : t1, ctx.random()));
    NDArray views = Views.stack(t1, t2, adv);
    long n = t1.getShape().get(0);
    return () -> {
      NDArray z = ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of t(x), t'(x), x_adv", contrast.embed(ps, views));
      NDArray z1 = z.get("0:{}", n);
      NDArray z2 = z.get("{}:{}", n, 2 * n);
      NDArray za = z.get("{}:", 2 * n);
      NDArray first = contrast.ntXent(ctx, Views.stack(z1, za), 2, "L_cont(t(x), x_adv)");
      NDArray second = contrast.ntXent(ctx, Views.stack(z2, za), 2, "L_cont(t'(x), x_adv)");
      return first.add(second.mul((float) settings.lambda()));
    };
  }
}
