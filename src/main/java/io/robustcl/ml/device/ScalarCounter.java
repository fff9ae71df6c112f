package io.robustcl.ml.device;

/**
 * The counting hook of {@link DeviceScalars}: told how many scalar constants the project's code created
 * on a device. A test passes a counting one to bound the creations per training step; everything else
 * uses {@link #NONE}.
 */
@FunctionalInterface
public interface ScalarCounter {
  /** Counts nothing. */
  ScalarCounter NONE = created -> {};

  /** {@code created} scalar constants were just created. */
  void created(int created);
}
