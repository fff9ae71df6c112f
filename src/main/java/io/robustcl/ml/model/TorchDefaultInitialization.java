package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
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

  /**
   * Allocates the parameters of {@code block} for inputs of {@code inputShape}, weights as zeros.
   * DJL's default weight initialiser (Xavier) draws from PyTorch's process-global generator, and a
   * stage running beside this one in the same JVM may be between reseeding that generator and
   * drawing from it ({@link io.robustcl.ml.device.EngineDraws}): its draw would then depend on
   * timing. The weights are re-drawn by {@link #apply} or loaded from a file afterwards, so the
   * zeros are never used.
   */
  static void allocate(Block block, NDManager manager, Shape inputShape) {
    block.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
    block.initialize(manager, DataType.FLOAT32, inputShape);
  }

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
