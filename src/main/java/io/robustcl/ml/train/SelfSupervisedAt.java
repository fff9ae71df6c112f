package io.robustcl.ml.train;

import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.model.Network;

/**
 * RoCL table 1's "RoCL+AT+SS" fine-tuning objective: Madry AT on l(f(.)) plus {@code weight} times the
 * clean SimCLR loss NT-Xent(t(x), t'(x)) through the pre-trained projector g (RoCL eq. 3).
 *
 * <p>The self-supervised term is the <em>clean</em> contrastive loss, not RoCL's adversarial one: RoCL's
 * public code (src/linear_eval.py, {@code --finetune --ss}) adds {@code NT_xent} of the projector outputs
 * of two clean inputs to the cross-entropy, with weight 1. This is the one definition both the
 * {@code fine-tune} stage and {@link FineTuning} use.
 */
public final class SelfSupervisedAt implements TrainingMethod {

  private final SupervisedTraining adversarial;
  private final ContrastiveTraining selfSupervised;
  private final float weight;

  /**
   * @param adversarial the AT term (a {@link SupervisedTraining} with objective AT)
   * @param views T, the SimCLR augmentation of the self-supervised term
   * @param tau NT-Xent temperature (0.5)
   * @param weight weight of the self-supervised term (public code: 1)
   */
  public SelfSupervisedAt(Network network, SupervisedTraining adversarial, ImageTransform views, double tau, double weight) {
    if (network.projector() == null) {
      throw new IllegalArgumentException("fine-tuning at+ss needs a network with a projector g (a contrastive pre-training)");
    }
    this.adversarial = adversarial;
    this.selfSupervised = new ContrastiveTraining(network, views, null,
        new ContrastiveTraining.Settings(ContrastiveTraining.Objective.SIMCLR, tau));
    this.weight = (float) weight;
  }

  @Override
  public BatchLoss prepare(StepContext ctx, Batch batch) {
    BatchLoss at = adversarial.prepare(ctx, batch);
    BatchLoss ss = selfSupervised.prepare(ctx, batch);
    return () -> at.compute().add(DeviceScalars.uncounted().mul(ss.compute(), weight));
  }
}
