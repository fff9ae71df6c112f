package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.jspecify.annotations.Nullable;

/**
 * Gradient access that DJL's public API does not give precisely enough on PyTorch.
 *
 * <p>{@code NDArray.getGradient()} returns a fresh zero array when no gradient was ever computed,
 * which would make SGD apply weight decay and momentum to parameters that took no part in the loss
 * (PyTorch skips them); {@code GradientCollector.zeroGradients()} walks every live array of the
 * process. These read PyTorch's {@code .grad} directly.
 */
final class Gradients {
  private Gradients() {}

  /** The gradient tensor shared with the array (a new handle the caller closes), or null if none was computed. */
  static @Nullable NDArray gradientOrNull(NDArray array) {
    if (!array.hasGradient()) {
      return null;
    }
    if (array instanceof PtNDArray pt) {
      return JniUtils.getGradient(pt);
    }
    return array.getGradient();
  }

  /** Resets the array's accumulated gradient to zero. */
  static void zero(NDArray array) {
    if (!array.hasGradient()) {
      return;
    }
    if (array instanceof PtNDArray pt) {
      JniUtils.zeroGrad(pt);
      return;
    }
    try (NDArray g = array.getGradient()) {
      g.subi(g);
    }
  }
}
