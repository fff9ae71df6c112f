package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.loss.FeatureDistanceLoss;
import io.robustcl.ml.model.Network;
import org.jspecify.annotations.Nullable;

/**
 * RoCL (Kim et al. 2020, eq. 4-6): with t, t' ~ T, the instance-wise attack perturbs t(x) to maximise the
 * attack loss against its target (t'(x) by default), then
 * {@code L = NT-Xent_3views(t(x), t'(x), t(x)_adv) + R(t(x)_adv, target)}.
 *
 * <p>The regulariser R follows RoCL's public code (src/attack_lib.py, {@code RepresentationAdv.get_loss},
 * with its default {@code --regularize_to other}: the pair is the adversarial view and the attack target),
 * and its form depends on the attack loss type:
 *
 * <ul>
 *   <li>contrastive ({@code sim}): {@code (1/lambda) NT-Xent(t(x)_adv, target)}; eq. 6 writes the weight as
 *       lambda, the code divides by lambda = 256, which is what {@link Settings#lambda} means here;
 *   <li>MSE, Manhattan ({@code mse}, {@code l1}): {@code mse_loss / l1_loss(g(f(t(x)_adv)), g(f(target))) / N},
 *       lambda unused;
 *   <li>cosine ({@code cos}): {@code 1 - mean cos(g(f(t(x)_adv)), g(f(target)))}: minimising it
 *       <em>maximises</em> the similarity, while the attack maximised {@code 1 - cos}.
 * </ul>
 *
 * The regulariser has its own forward pass of (t(x)_adv, target), as in the public code, so its batch-norm
 * statistics are those of 2N images (the distance losses: two passes of N, as the code's two calls).
 */
public final class RoclTraining implements TrainingMethod {
  /**
   * @param attack the instance-wise attack's search (PGD-7 l_inf eps 0.0314 step 0.007, random start)
   * @param loss the attack loss (RoCL table 7: contrastive by default); it also selects the regulariser
   * @param attacked the view the attack perturbs (t in RoCL)
   * @param target the attack target (RoCL table 5; public code default t')
   * @param tau NT-Xent temperature (0.5)
   * @param lambda the contrastive regulariser is divided by lambda (256); infinity drops it
   */
  public record Settings(PgdAttack attack, InstanceWiseAttack.Loss loss, InstanceWiseAttack.View attacked,
      InstanceWiseAttack.View target, double tau, double lambda) {
    public Settings {
      if (!(lambda > 0)) {
        throw new IllegalArgumentException("rocl: lambda must be > 0, got " + lambda);
      }
    }

    public static Settings paper() {
      return new Settings(PgdAttack.linf(0.0314, 0.007, 7), InstanceWiseAttack.Loss.CONTRASTIVE,
          InstanceWiseAttack.View.T, InstanceWiseAttack.View.T_PRIME, 0.5, 256);
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
    NDArray target = settings.target().select(x, t1, t2);
    NDArray adv = ctx.checked(StepChecks.Phase.ATTACK, "instance-wise PGD, t(x)_adv",
        contrast.perturb(ps, settings.attacked().select(x, t1, t2), target, ctx.random()));
    NDArray threeViews = Views.stack(t1, t2, adv);
    return () -> {
      NDArray z3 = ctx.checked(StepChecks.Phase.FORWARD, "g(f(.)) of t(x), t'(x), t(x)_adv",
          contrast.embed(ps, threeViews));
      NDArray loss = contrast.ntXent(ctx, z3, 3, "NT-Xent over t(x), t'(x), t(x)_adv");
      NDArray r = regulariser(ps, adv, target);
      if (r != null) {
        ctx.checked(StepChecks.Phase.LOSS, "regulariser R(t(x)_adv, target)", r);
      }
      return r == null ? loss : loss.add(r);
    };
  }

  /** R(t(x)_adv, target) of the public code for the attack's loss type (see the class comment); null for none. */
  private @Nullable NDArray regulariser(ParameterStore ps, NDArray adv, NDArray target) {
    float n = adv.getShape().get(0);
    return switch (settings.loss()) {
      case CONTRASTIVE -> Double.isInfinite(settings.lambda())
          ? null
          : DeviceScalars.uncounted().div(contrast.ntXent(contrast.embed(ps, Views.stack(adv, target)), 2), settings.lambda());
      case MSE -> DeviceScalars.uncounted().div(new FeatureDistanceLoss(FeatureDistanceLoss.Metric.MSE)
          .loss(contrast.embed(ps, adv), contrast.embed(ps, target)), n);
      case L1 -> DeviceScalars.uncounted().div(new FeatureDistanceLoss(FeatureDistanceLoss.Metric.L1)
          .loss(contrast.embed(ps, adv), contrast.embed(ps, target)), n);
      // 1 - mean cos: FeatureDistanceLoss's COSINE is 1 - cos per pair, so its batch mean is exactly this
      case COSINE -> new FeatureDistanceLoss(FeatureDistanceLoss.Metric.COSINE)
          .loss(contrast.embed(ps, adv), contrast.embed(ps, target));
    };
  }
}
