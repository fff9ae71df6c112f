package io.robustcl.ml.device;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.FloatBuffer;

/**
 * Copies between float32 arrays on any device and Java arrays, scoped so that nothing stays behind.
 *
 * <p>Why: in DJL 0.25, {@code toFloatArray()} of a GPU array first makes a CPU copy with
 * {@code toDevice}, attached to the array's own manager and never closed; for a model's parameters that
 * manager is the stage's root, so a checkpoint per epoch leaked about the size of the model (parameters
 * plus momentum) every epoch. Here the array is lent to a short-lived sub-manager ({@code tempAttach}) for
 * the copy, so the copy is attached to, and freed with, that sub-manager, and the array returns to its
 * manager afterwards.
 */
public final class HostTransfer {
  private HostTransfer() {}

  /** The array's values, read to the host. */
  public static float[] read(NDArray array) {
    try (NDManager scope = array.getManager().newSubManager()) {
      array.tempAttach(scope);
      return array.toFloatArray();
    }
  }

  /** Overwrites the array's values in place with {@code values} (same element count). */
  public static void write(NDArray array, float[] values) {
    try (NDManager scope = array.getManager().newSubManager()) {
      array.tempAttach(scope);
      array.set(FloatBuffer.wrap(values));
    }
  }
}
