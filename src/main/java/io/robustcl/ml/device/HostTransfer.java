package io.robustcl.ml.device;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Copies between arrays on any device and Java values, scoped so that nothing stays behind, and so
 * that no array is left pointing into Java memory.
 *
 * <p>Why {@link #read}: in DJL 0.25, {@code toFloatArray()} of a GPU array first makes a CPU copy with
 * {@code toDevice}, attached to the array's own manager and never closed; for a model's parameters that
 * manager is the stage's root, so a checkpoint per epoch leaked about the size of the model (parameters
 * plus momentum) every epoch. Here the array is lent to a short-lived sub-manager ({@code tempAttach}) for
 * the copy, so the copy is attached to, and freed with, that sub-manager, and the array returns to its
 * manager afterwards.
 *
 * <p>Why {@link #upload}: on the CPU, DJL 0.25's {@code manager.create(float[] / long[] / Buffer, ...)} is
 * a {@code torch::from_blob} over a direct {@code ByteBuffer} (pytorch-engine's
 * {@code JniUtils.createNdFromByteBuffer}; the native side's comment: "the java side hold the reference for
 * the directByteBuffer"), and {@code PtNDArray.close()} drops that reference. Any tensor that still shares
 * the storage after the array is closed (a view, a gather's saved index, a factor {@code mul} keeps for
 * backward) then reads memory the garbage collector has freed: issue 17's failure, for arrays instead of
 * scalars. An uploaded array owns its memory, so it is as safe to close early as any other result.
 * On a GPU DJL already copies (from_blob, then {@code .to(device)}); upload does the same copy there.
 */
public final class HostTransfer {
  /** Immutable once built: DJL only reads an index. */
  private static final NDIndex EVERYTHING = new NDIndex("...");

  private HostTransfer() {}

  /** The array's values, read to the host. */
  public static float[] read(NDArray array) {
    try (NDManager scope = array.getManager().newSubManager()) {
      array.tempAttach(scope);
      return array.toFloatArray();
    }
  }

  /**
   * Overwrites the array's values in place with {@code values} (same element count), on its device:
   * an upload, then a copy into the array's own storage ({@code index_put_} over {@code ...}) with
   * gradient recording off, so a parameter can be written while a tape is open.
   *
   * <p>Why not DJL's {@code set(Buffer)}: on the CPU it does not copy into the storage but swaps it for a
   * direct buffer that the array then keeps (native {@code torchSet}: {@code set_} over the buffer's
   * address). Every parameter written that way lived in Java memory, a view taken before kept the old
   * values, and setting it again left the old buffer to the collector while views or autograd could still
   * read it.
   */
  public static void write(NDArray array, float[] values) {
    try (NDManager scope = array.getManager().newSubManager()) {
      NDArray uploaded = upload(scope, array.getDevice(), FloatBuffer.wrap(values), array.getShape(),
          DataType.FLOAT32).toType(array.getDataType(), false);
      GradientTape.withoutRecording(() -> array.set(EVERYTHING, uploaded));
    }
  }

  /**
   * A new array of {@code shape} and {@code type} holding {@code values} (from their position to their
   * limit, in native byte order for a {@code ByteBuffer}) on {@code device}, in memory PyTorch owns,
   * attached to {@code manager}. The values are copied once (to the device, or on the CPU into a
   * PyTorch tensor), so the caller may reuse or drop its buffer at once.
   */
  public static NDArray upload(NDManager manager, Device device, Buffer values, Shape shape, DataType type) {
    NDArray out;
    try (NDManager staging = manager.newSubManager(Device.cpu())) {
      // a from_blob view of a direct buffer, freed with the staging scope
      NDArray view = staging.create(values, shape, type);
      out = view.toDevice(device, false);
      if (out == view) {
        // on the CPU DJL returns the view itself (and toDevice(same, copy=true) does not copy either:
        // torchTo passes copy=false); clone copies into PyTorch's memory
        out = view.duplicate();
      }
      out.attach(manager);
    }
    return out;
  }

  /** {@link #upload} of float32 values on {@code manager}'s device. */
  public static NDArray upload(NDManager manager, float[] values, Shape shape) {
    return upload(manager, manager.getDevice(), FloatBuffer.wrap(values), shape, DataType.FLOAT32);
  }

  /** {@link #upload} of int64 values (indices, labels) on {@code manager}'s device. */
  public static NDArray upload(NDManager manager, long[] values, Shape shape) {
    return upload(manager, manager.getDevice(), LongBuffer.wrap(values), shape, DataType.INT64);
  }
}
