package io.robustcl.ml.device;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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

  /** One scalar of {@code like}'s type on {@code like}'s device, attached to {@code manager}. */
  public NDArray create(NDManager manager, NDArray like, float value) {
    return of(manager, like.getDataType(), like, value)[0];
  }

  /** One float32 scalar on {@code manager}'s device. */
  public NDArray create(NDManager manager, float value) {
    counter.created(1);
    return manager.create(value);
  }

  /**
   * Several scalars of {@code type} on {@code like}'s device in one upload (then split on the device),
   * attached to {@code manager}.
   */
  public NDArray[] of(NDManager manager, DataType type, NDArray like, float... values) {
    counter.created(values.length);
    NDArray all = manager.create(values, new Shape(values.length)).toDevice(like.getDevice(), false);
    if (type != DataType.FLOAT32) {
      all = all.toType(type, false);
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
