package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.robustcl.ml.device.HostTransfer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Re-draws the weights and biases of an initialised block tree with PyTorch's default initialisation,
 * the one the papers' code uses (no custom init in their ResNets): for Conv2d and Linear,
 * {@code kaiming_uniform_(a=sqrt(5))}, i.e. weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
 * fan_in = in_channels x kernel size. Batch-norm parameters keep DJL's init (gamma 1, beta 0, running mean
 * 0, running var 1), which equals PyTorch's.
 *
 * <p>Values come from a Java-side generator, so the same generator state gives bit-identical weights on
 * any device and independently of the engine's process-global RNG. Runs once at construction; the
 * host-to-device copy per parameter is intended.
 */
final class TorchDefaultInitialization {

  private TorchDefaultInitialization() {}

  /** Re-initialises every weight and bias under {@code root}, depth-first in child order. */
  static void apply(Block root, RandomGenerator rng) {
    @Nullable Parameter weight = null;
    @Nullable Parameter bias = null;
    for (Pair<String, Parameter> p : root.getDirectParameters()) {
      switch (p.getValue().getType()) {
        case WEIGHT -> weight = p.getValue();
        case BIAS -> bias = p.getValue();
        default -> { }
      }
    }
    if (weight != null) {
      long fanIn = weight.getArray().getShape().size() / weight.getArray().getShape().get(0);
      float bound = (float) (1.0 / Math.sqrt(fanIn));
      fill(weight.getArray(), bound, rng);
      if (bias != null) {
        fill(bias.getArray(), bound, rng);
      }
    }
    for (Pair<String, Block> child : root.getChildren()) {
      apply(child.getValue(), rng);
    }
  }

  private static void fill(NDArray array, float bound, RandomGenerator rng) {
    float[] values = new float[Math.toIntExact(array.getShape().size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rng.nextDouble(-bound, bound);
    }
    HostTransfer.write(array, values);
  }
}
