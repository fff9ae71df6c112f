package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic gradient descent with heavy-ball momentum and weight decay, optionally with LARS.
 *
 * <p>Plain SGD has PyTorch's semantics ({@code torch.optim.SGD}, dampening 0, no Nesterov), for every
 * trainable parameter with a gradient: {@code d = g + wd w; buf = mom buf + d; w -= lr buf}.
 *
 * <p>LARS follows the LARS paper (You et al. 2017) as implemented in SimCLR's code: for layer-adapted
 * parameters (weights of rank >= 2) {@code d = g + wd w}, trust ratio
 * {@code r = eta ||w|| / ||d||} (1 when either norm is 0), {@code buf = mom buf + lr r d}; for biases and
 * batch-norm parameters no weight decay and no adaptation: {@code buf = mom buf + lr g}; then
 * {@code w -= buf}. The learning rate sits inside the momentum buffer there, as in SimCLR.
 *
 * <p>With {@link SgdSettings#larsEveryParameter()} it follows {@code torchlars}, the wrapper RoCL's
 * public code uses: for every parameter {@code r = eta ||w|| / (||g|| + wd ||w||)} (1 when either norm
 * is 0), {@code d = r (g + wd w)}, then the wrapped SGD step {@code buf = mom buf + d; w -= lr buf}.
 *
 * <p>All updates are in-place NDArray operations on the parameters' device; one momentum buffer per
 * parameter lives in the manager given to the constructor. {@link #step} zeroes the gradients it
 * consumed. Parameters without a computed gradient are skipped, as PyTorch does.
 */
public final class SgdOptimizer {
  private final List<ModelParameter> parameters;
  private final List<NDArray> buffers;
  private final SgdSettings settings;
  private final NDManager manager;

  /**
   * @param parameters the model's parameters; only {@link ModelParameter#trainable()} ones are updated
   * @param manager owns the momentum buffers (on the parameters' device)
   */
  public SgdOptimizer(ModelParameters parameters, SgdSettings settings, NDManager manager) {
    this.parameters = parameters.trainable();
    this.settings = settings;
    this.manager = manager;
    this.buffers = new ArrayList<>();
    for (ModelParameter p : this.parameters) {
      NDArray buf = manager.zeros(p.array().getShape(), p.array().getDataType(), p.array().getDevice());
      buf.setName("momentum/" + p.name());
      buffers.add(buf);
    }
  }

  public SgdSettings settings() {
    return settings;
  }

  /**
   * The optimiser's state as named buffers ({@code momentum/<parameter name>}), for checkpoints;
   * restoring their contents in place restores the optimiser.
   */
  public List<ModelParameter> state() {
    List<ModelParameter> out = new ArrayList<>();
    for (NDArray b : buffers) {
      out.add(ModelParameter.buffer(b.getName(), b));
    }
    return out;
  }

  /** Applies one update with learning rate {@code lr} from the accumulated gradients, then zeroes them. */
  public void step(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
    Gradients.withoutRecording(
        () -> {
          for (int i = 0; i < parameters.size(); i++) {
            ModelParameter p = parameters.get(i);
            try (NDManager sub = manager.newSubManager(p.array().getDevice())) {
              NDArray g = Gradients.gradientOrNull(p.array());
              if (g == null) {
                continue;
              }
              g.attach(sub);
              if (settings.lars() && settings.larsEveryParameter()) {
                torchlarsUpdate(p, g, buffers.get(i), lr, sub);
              } else if (settings.lars()) {
                larsUpdate(p, g, buffers.get(i), lr, sub);
              } else {
                sgdUpdate(p, g, buffers.get(i), lr, sub);
              }
            }
            Gradients.zero(p.array());
          }
        });
  }

  /** Zeroes the gradients of every trainable parameter without updating anything. */
  public void zeroGradients() {
    for (ModelParameter p : parameters) {
      Gradients.zero(p.array());
    }
  }

  private void sgdUpdate(ModelParameter p, NDArray g, NDArray buf, double lr, NDManager sub) {
    NDArray w = p.array();
    NDArray d = g;
    if (settings.weightDecay() != 0) {
      NDArray decay = w.mul((float) settings.weightDecay());
      decay.attach(sub);
      d = g.add(decay);
    }
    buf.muli(settings.momentum()).addi(d);
    NDArray delta = buf.mul((float) lr);
    delta.attach(sub);
    w.subi(delta);
  }

  private void larsUpdate(ModelParameter p, NDArray g, NDArray buf, double lr, NDManager sub) {
    NDArray w = p.array();
    NDArray scaled;
    if (p.layerAdapted()) {
      NDArray d = g;
      if (settings.weightDecay() != 0) {
        NDArray decay = w.mul((float) settings.weightDecay());
        decay.attach(sub);
        d = g.add(decay);
      }
      NDArray wNorm = w.norm();
      wNorm.attach(sub);
      NDArray dNorm = d.norm();
      // r = eta ||w|| / ||d|| where both norms are positive, else 1 (SimCLR's tf.where), kept on the device
      NDArray valid = wNorm.gt(0).logicalAnd(dNorm.gt(0));
      NDArray ratio = NDArrays.where(valid, wNorm.mul((float) settings.trustCoefficient()).div(dNorm), sub.ones(wNorm.getShape()));
      scaled = d.mul(ratio.mul((float) lr));
    } else {
      scaled = g.mul((float) lr);
    }
    buf.muli(settings.momentum()).addi(scaled);
    w.subi(buf);
  }

  private void torchlarsUpdate(ModelParameter p, NDArray g, NDArray buf, double lr, NDManager sub) {
    NDArray w = p.array();
    float wd = (float) settings.weightDecay();
    NDArray wNorm = w.norm();
    wNorm.attach(sub);
    NDArray gNorm = g.norm();
    // r = eta ||w|| / (||g|| + wd ||w||) where both norms are positive, else 1; kept on the device
    NDArray valid = wNorm.gt(0).logicalAnd(gNorm.gt(0));
    NDArray ratio = NDArrays.where(valid,
        wNorm.mul((float) settings.trustCoefficient()).div(gNorm.add(wNorm.mul(wd))), sub.ones(wNorm.getShape()));
    NDArray d = wd == 0 ? g : g.add(w.mul(wd));
    buf.muli(settings.momentum()).addi(d.mul(ratio));
    NDArray delta = buf.mul((float) lr);
    delta.attach(sub);
    w.subi(delta);
  }
}
