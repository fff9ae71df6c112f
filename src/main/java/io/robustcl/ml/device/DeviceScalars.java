package io.robustcl.ml.device;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * Scalar constants as 0-dimensional arrays on a device, for the NDArray-operand overloads of DJL's
 * operations.
 *
 * <p>Why: in DJL 0.25 every {@code add/sub/mul/div/pow/maximum/minimum/compare(Number)} (and the in-place
 * forms) calls {@code manager.create(n)} on the array's device, a {@code from_blob} plus, on CUDA, a
 * blocking host-to-device copy; {@code clip} makes two and reads both back. An optimiser step or an
 * attack iteration with Java numbers therefore syncs the host with the GPU hundreds of times. The
 * project's hot paths instead make their constants here once (per optimiser, attack run, augmentation
 * call or network) and reuse them; {@link #of} makes all constants of one caller in a single upload.
 * Every creation is reported to a {@link ScalarCounter} (the hook a test uses to bound the creations per
 * training step).
 *
 * <p>Every array made here keeps its values in memory that PyTorch owns, never in a Java buffer. A CPU
 * array that DJL 0.25 makes from Java values ({@code create(float[])}, and the scalar that every
 * Number-operand overload makes and closes right after the operation) is a {@code from_blob} view of a
 * direct {@code ByteBuffer}: once the array is closed, the garbage collector frees that buffer while
 * autograd may still hold the tensor for backward ({@code mul} and {@code div} save their operand), and
 * backward then reads freed memory. That was issue 17's NaN: {@code loss.mul(lambda)} read back as
 * 1e34, Inf or NaN whenever a collection fell between forward and backward (about one CPU step in
 * 1,000). Hence the rule for {@code io.robustcl.ml}: no Java-number operands in array operations;
 * constants come from here (and arrays of Java values from {@link HostTransfer#upload}, which {@link #of}
 * uses). An attack's per-call cache ({@code ml.attack.Scalars}) makes its constants here too, so a
 * counter sees them.
 */
public final class DeviceScalars {
  /** Shared: it holds no state, and records holding it stay equal. */
  private static final DeviceScalars UNCOUNTED = new DeviceScalars(ScalarCounter.NONE);

  private final ScalarCounter counter;

  public DeviceScalars(ScalarCounter counter) {
    this.counter = counter;
  }

  /** Creations go uncounted. */
  public static DeviceScalars uncounted() {
    return UNCOUNTED;
  }

  public ScalarCounter counter() {
    return counter;
  }

  /**
   * One scalar of {@code like}'s type on {@code like}'s device, attached to {@code manager}: a fill on the
   * device (no upload).
   */
  public NDArray create(NDManager manager, NDArray like, float value) {
    return create(manager, like.getDataType(), like.getDevice(), value);
  }

  /** One scalar of {@code type} on {@code device}, attached to {@code manager}: a fill on the device. */
  public NDArray create(NDManager manager, DataType type, Device device, float value) {
    counter.created(1);
    NDArray out = manager.full(new Shape(), value, type, device);
    // on another device than the manager's, DJL's full makes it in a sub-manager of that device
    out.attach(manager);
    return out;
  }

  /** One scalar of {@code like}'s type on its device, attached to its manager. */
  public NDArray like(NDArray like, float value) {
    return create(like.getManager(), like, value);
  }

  /** {@code x * factor}, the factor an array made here (what {@code x.mul(Number)} would do, safely). */
  public NDArray mul(NDArray x, double factor) {
    return x.mul(like(x, (float) factor));
  }

  /** {@code x / divisor}, the divisor an array made here (what {@code x.div(Number)} would do, safely). */
  public NDArray div(NDArray x, double divisor) {
    return x.div(like(x, (float) divisor));
  }

  /**
   * Several scalars of {@code type} on {@code like}'s device in one upload (then split on the device),
   * attached to {@code manager}.
   */
  public NDArray[] of(NDManager manager, DataType type, NDArray like, float... values) {
    counter.created(values.length);
    NDArray uploaded = HostTransfer.upload(manager, like.getDevice(), FloatBuffer.wrap(values),
        new Shape(values.length), DataType.FLOAT32);
    NDArray all = uploaded.toType(type, false);
    if (all != uploaded) {
      uploaded.close();
    }
    NDArray[] out = new NDArray[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }

  /** Like {@link #of}, in {@code like}'s data type. */
  public NDArray[] of(NDManager manager, NDArray like, float... values) {
    return of(manager, like.getDataType(), like, values);
  }
}
