package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.GradientTape;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

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
 * public code uses: for every parameter {@code r = eta ||w|| / (||g|| + wd ||w|| + eps)} (1 when either
 * norm is 0; eps = 1e-8, torchlars' default, which RoCL's {@code rocl_train.py} also passes explicitly), {@code d = r (g + wd w)}, then the wrapped SGD step {@code buf = mom buf + d; w -= lr buf}.
 *
 * <p>All updates are in-place NDArray operations on the parameters' device; one momentum buffer per
 * parameter lives in the manager given to the constructor. {@link #step} zeroes the gradients it
 * consumed. Parameters without a computed gradient are skipped, as PyTorch does.
 */
public final class SgdOptimizer {
  /** torchlars' eps in the trust-ratio divisor ({@code LARS(optimizer, eps=1e-8, trust_coef=0.001)}). */
  static final float TORCHLARS_EPS = 1e-8f;

  private final List<ModelParameter> parameters;
  private final List<NDArray> buffers;
  private final SgdSettings settings;
  private final NDManager manager;
  private final DeviceScalars scalars;
  private final @Nullable Constants constants;

  /** The update's constants, made once on the parameters' device. */
  private record Constants(NDArray momentum, NDArray weightDecay, NDArray trust, NDArray eps, NDArray zero,
      NDArray one) {}

  /**
   * @param parameters the model's parameters; only {@link ModelParameter#trainable()} ones are updated
   * @param manager owns the momentum buffers (on the parameters' device)
   */
  public SgdOptimizer(ModelParameters parameters, SgdSettings settings, NDManager manager) {
    this(parameters, settings, manager, DeviceScalars.uncounted());
  }

  /** As above, with the device constants made through {@code scalars} (a counting hook in tests). */
  public SgdOptimizer(ModelParameters parameters, SgdSettings settings, NDManager manager, DeviceScalars scalars) {
    this.parameters = parameters.trainable();
    this.settings = settings;
    this.manager = manager;
    this.scalars = scalars;
    this.buffers = new ArrayList<>();
    for (ModelParameter p : this.parameters) {
      NDArray buf = manager.zeros(p.array().getShape(), p.array().getDataType(), p.array().getDevice());
      buf.setName("momentum/" + p.name());
      buffers.add(buf);
    }
    if (this.parameters.isEmpty()) {
      constants = null;
    } else {
      NDArray[] c = scalars.of(manager, this.parameters.get(0).array(), (float) settings.momentum(),
          (float) settings.weightDecay(), (float) settings.trustCoefficient(), TORCHLARS_EPS, 0f, 1f);
      constants = new Constants(c[0], c[1], c[2], c[3], c[4], c[5]);
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
    if (parameters.isEmpty()) {
      return;
    }
    GradientTape.withoutRecording(
        () -> {
          try (NDManager stepScope = manager.newSubManager(parameters.get(0).array().getDevice())) {
            // the step's one new device scalar; every other constant was made in the constructor
            NDArray rate = scalars.create(stepScope, parameters.get(0).array(), (float) lr);
            for (int i = 0; i < parameters.size(); i++) {
              ModelParameter p = parameters.get(i);
              try (NDManager sub = stepScope.newSubManager(p.array().getDevice())) {
                NDArray g = Gradients.gradientOrNull(p.array());
                if (g == null) {
                  continue;
                }
                // every temporary of the update, the operands' results included, lands in sub
                g.attach(sub);
                p.array().tempAttach(sub);
                buffers.get(i).tempAttach(sub);
                if (settings.lars() && settings.larsEveryParameter()) {
                  torchlarsUpdate(p, g, buffers.get(i), rate, sub);
                } else if (settings.lars()) {
                  larsUpdate(p, g, buffers.get(i), rate, sub);
                } else {
                  sgdUpdate(p, g, buffers.get(i), rate, sub);
                }
              }
              Gradients.zero(p.array());
            }
          }
        });
  }

  /**
   * The sum of every computed gradient's elements as one scalar on the device (null if no parameter has a
   * gradient): NaN or infinite when any gradient holds a NaN or an infinity, so one host read tells
   * whether {@link #step} may use the gradients. The handles it reads go to {@code scope}.
   */
  public @Nullable NDArray gradientSum(NDManager scope) {
    NDList sums = new NDList();
    for (ModelParameter p : parameters) {
      NDArray g = Gradients.gradientOrNull(p.array());
      if (g != null) {
        g.attach(scope);
        NDArray sum = g.sum();
        sum.attach(scope);
        sums.add(sum);
      }
    }
    if (sums.isEmpty()) {
      return null;
    }
    NDArray total = NDArrays.stack(sums).sum();
    total.attach(scope);
    return total;
  }

  /**
   * The sum of every trainable parameter's elements as one scalar on the device: NaN or infinite when an
   * update made a parameter so. Attached to {@code scope}.
   */
  public NDArray parameterSum(NDManager scope) {
    NDList sums = new NDList();
    for (ModelParameter p : parameters) {
      NDArray sum = p.array().sum();
      sum.attach(scope);
      sums.add(sum);
    }
    NDArray total = sums.isEmpty() ? scope.zeros(new ai.djl.ndarray.types.Shape()) : NDArrays.stack(sums).sum();
    total.attach(scope);
    return total;
  }

  /** Zeroes the gradients of every trainable parameter without updating anything. */
  public void zeroGradients() {
    for (ModelParameter p : parameters) {
      Gradients.zero(p.array());
    }
  }

  private void sgdUpdate(ModelParameter p, NDArray g, NDArray buf, NDArray lr, NDManager sub) {
    NDArray w = p.array();
    NDArray d = settings.weightDecay() == 0 ? g : g.add(w.mul(constants.weightDecay()));
    buf.muli(constants.momentum()).addi(d);
    w.subi(buf.mul(lr));
  }

  private void larsUpdate(ModelParameter p, NDArray g, NDArray buf, NDArray lr, NDManager sub) {
    NDArray w = p.array();
    NDArray scaled;
    if (p.layerAdapted()) {
      NDArray d = settings.weightDecay() == 0 ? g : g.add(w.mul(constants.weightDecay()));
      NDArray wNorm = w.norm();
      NDArray dNorm = d.norm();
      // r = eta ||w|| / ||d|| where both norms are positive, else 1 (SimCLR's tf.where), kept on the device
      NDArray valid = wNorm.gt(constants.zero()).logicalAnd(dNorm.gt(constants.zero()));
      NDArray ratio = NDArrays.where(valid, wNorm.mul(constants.trust()).div(dNorm), constants.one());
      scaled = d.mul(ratio.mul(lr));
    } else {
      scaled = g.mul(lr);
    }
    buf.muli(constants.momentum()).addi(scaled);
    w.subi(buf);
  }

  private void torchlarsUpdate(ModelParameter p, NDArray g, NDArray buf, NDArray lr, NDManager sub) {
    NDArray w = p.array();
    NDArray wNorm = w.norm();
    NDArray gNorm = g.norm();
    // torchlars' compute_adaptive_lr: r = eta ||w|| / (||g|| + wd ||w|| + eps) where both norms are
    // positive, else 1; kept on the device
    NDArray valid = wNorm.gt(constants.zero()).logicalAnd(gNorm.gt(constants.zero()));
    NDArray divisor = gNorm.add(wNorm.mul(constants.weightDecay())).addi(constants.eps());
    NDArray ratio = NDArrays.where(valid, wNorm.mul(constants.trust()).div(divisor), constants.one());
    NDArray d = settings.weightDecay() == 0 ? g : g.add(w.mul(constants.weightDecay()));
    buf.muli(constants.momentum()).addi(d.mul(ratio));
    w.subi(buf.mul(lr));
  }
}
