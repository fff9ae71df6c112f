package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.loss.CrossEntropyLoss;
import io.robustcl.ml.loss.NtXentLoss;
import io.robustcl.ml.loss.SupConLoss;
import io.robustcl.ml.model.Network;
import java.util.List;

/**
 * ASCL: {@code L = L_AT + lambda1 L_CL + lambda2 L_ASCL} with an ensemble of attacks:
 * <ul>
 *   <li>L_AT: CE of l(f(x_ce)), x_ce from PGD on the cross-entropy of t(x) (label-based attack);
 *   <li>L_CL: NT-Xent between the adversarial views a = adv(t(x)) and a' = adv(t'(x)), each from the
 *       label-free instance-wise attack against the other view (eq. 4 on adversarial views);
 *   <li>L_ASCL (eq. 9): SupCon between t(x) and x + delta, delta maximising that SupCon loss.
 * </ul>
 * The adversarial inputs go through the adversarial batch norms when the encoder has dual BN
 * ({@link Settings#separateBn}, ASCL table 8).
 */
public final class AsclTraining implements TrainingMethod {
  /** ASCL defaults: PGD eps 8/255 step 2/255 (10 steps), lambda1 0.5, lambda2 0.2, tau 0.5. */
  public record Settings(PgdAttack attack, double lambda1, double lambda2, double tau, boolean separateBn) {
    public static Settings paper() {
      return new Settings(PgdAttack.linf(8.0 / 255, 2.0 / 255, 10), 0.5, 0.2, 0.5, false);
    }
  }

  private final Network network;
  private final ImageTransform augmentation;
  private final Settings settings;
  private final InstanceWiseAttack labelFree;
  private final List<NDArray> parameterArrays;
  private final CrossEntropyLoss ce = new CrossEntropyLoss();
  private final NtXentLoss ntXent;
  private final SupConLoss supCon;

  public AsclTraining(Network network, ImageTransform augmentation, Settings settings) {
    if (network.projector() == null || network.head() == null) {
      throw new IllegalArgumentException("method ascl needs a network with a projector and a linear head");
    }
    if (settings.separateBn() && !network.spec().encoder().dualBn()) {
      throw new IllegalArgumentException("ascl: separateBn needs an encoder with dual batch norm (encoder dualBn=true)");
    }
    this.network = network;
    this.augmentation = augmentation;
    this.settings = settings;
    this.labelFree = new InstanceWiseAttack(settings.attack(), InstanceWiseAttack.Loss.CONTRASTIVE, settings.tau());
    this.parameterArrays = FrozenParameters.arraysOf(network.parameters());
    this.ntXent = new NtXentLoss(settings.tau());
    this.supCon = new SupConLoss(settings.tau());
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    ParameterStore ps = ctx.parameters();
    boolean advBn = settings.separateBn();
    NDArray x = batch.images();
    NDArray y = batch.labels();
    NDArray t1 = augmentation.apply(x, ctx.random());
    NDArray t2 = augmentation.apply(x, ctx.random());
    NDArray xCe = settings.attack().perturb(t1,
        new ClassificationObjective(in -> network.logits(ps, in, false, advBn), y, network.spec().classes()),
        parameterArrays, ctx.random());
    NDArray a1 = labelFree.perturb(t1, t2, in -> network.projection(ps, in, false, advBn), parameterArrays, ctx.random());
    NDArray a2 = labelFree.perturb(t2, t1, in -> network.projection(ps, in, false, advBn), parameterArrays, ctx.random());
    NDArray pairLabels = Views.stack(y, y);
    long n = x.getShape().get(0);
    NDArray zT1 = network.projection(ps, t1, false).stopGradient();
    // eq. 9's inner maximisation: per-anchor SupCon of the anchors x + delta against t(x)'s fixed embeddings
    NDArray xAscl = settings.attack().perturb(x, in -> {
      NDArray z = Views.stack(zT1, network.projection(ps, in, false, advBn));
      return supCon.perAnchor(z, pairLabels).get("{}:", n);
    }, parameterArrays, ctx.random());
    return () -> {
      NDArray lossAt = ce.loss(network.logits(ps, xCe, true, advBn), y);
      NDArray lossCl = ntXent.loss(network.projection(ps, Views.stack(a1, a2), true, advBn), 2);
      NDArray zClean = network.projection(ps, t1, true);
      NDArray zAdv = network.projection(ps, xAscl, true, advBn);
      NDArray lossAscl = supCon.loss(Views.stack(zClean, zAdv), pairLabels);
      return lossAt.add(lossCl.mul((float) settings.lambda1())).add(lossAscl.mul((float) settings.lambda2()));
    };
  }
}
