package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.JointContrastiveAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.loss.NtXentLoss;
import io.robustcl.ml.model.Network;
import java.util.List;

/**
 * ACL(DS), the dual-stream adversarial contrastive learning of Jiang et al. (NeurIPS 2020), as its
 * public {@code train_simCLR.py --ACL_DS} trains it: two SimCLR views t(x), t'(x) are attacked
 * jointly by PGD on their NT-Xent ({@link JointContrastiveAttack}, PGD-5 l_inf 8/255 step 2/255, the
 * model in inference mode and through the adversarial BN), and
 *
 * <pre>
 *   L = ( NT-Xent(t(x), t'(x)) + NT-Xent(t(x) + delta, t'(x) + delta') ) / 2
 * </pre>
 *
 * the clean stream through the clean batch norms and the adversarial stream through the
 * adversarial ones (ACL's {@code 'normal'} and {@code 'pgd'} BN). With {@link Settings#separateBn}
 * false both streams share one BN (ASCL table 8's "same BN" row for ACL).
 */
public final class AclTraining implements TrainingMethod {

  /** ACL's public defaults: PGD-5 l_inf 8/255 step 2/255, tau 0.5, dual BN. */
  public record Settings(PgdAttack attack, double tau, boolean separateBn) {
    public static Settings paper() {
      return new Settings(PgdAttack.linf(8.0 / 255, 2.0 / 255, 5), 0.5, true);
    }
  }

  private final Network network;
  private final ImageTransform augmentation;
  private final Settings settings;
  private final JointContrastiveAttack attack;
  private final NtXentLoss ntXent;
  private final List<NDArray> parameterArrays;

  public AclTraining(Network network, ImageTransform augmentation, Settings settings) {
    if (network.projector() == null) {
      throw new IllegalArgumentException("method acl needs a network with a projector");
    }
    if (settings.separateBn() && !network.spec().encoder().dualBn()) {
      throw new IllegalArgumentException("acl: separate BN needs an encoder with dual batch norm (dual_bn: true)");
    }
    this.network = network;
    this.augmentation = augmentation;
    this.settings = settings;
    this.attack = new JointContrastiveAttack(settings.attack(), settings.tau());
    this.ntXent = new NtXentLoss(settings.tau());
    this.parameterArrays = FrozenParameters.arraysOf(network.parameters());
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    ParameterStore ps = ctx.parameters();
    boolean advBn = settings.separateBn();
    NDArray views = Views.stack(augmentation.apply(batch.images(), ctx.random()),
        augmentation.apply(batch.images(), ctx.random()));
    NDArray adversarial = attack.perturb(views, in -> network.projection(ps, in, false, advBn), parameterArrays,
        ctx.random());
    return () -> DeviceScalars.uncounted().div(ntXent.loss(network.projection(ps, views, true), 2)
        .add(ntXent.loss(network.projection(ps, adversarial, true, advBn), 2)), 2);
  }
}
