package io.robustcl.ml.device;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Records the operations of the current thread for one backward pass: a replacement for DJL's
 * {@code GradientCollector} that several threads, and nested scopes, can use at once.
 *
 * <p>Why not DJL's collector: {@code PtGradientCollector} (0.25.0) keeps a process-wide
 * "collecting" flag, so two stages training side by side in one JVM (or an attack run inside a
 * training step) fail with "Only one can be collecting at a time"; and when it throws that, it
 * has already switched the thread's grad mode on, which then breaks every later in-place update
 * of a parameter on that thread ("a leaf Variable that requires grad is being used in an
 * in-place operation"). PyTorch's grad mode is thread-local, so a tape only switches it on for
 * its own thread and restores the previous mode on {@link #close()}.
 *
 * <p>Like DJL's collector, a tape does not zero gradients: a parameter's gradient accumulates
 * over backward passes until the optimiser zeroes it.
 *
 * <pre>{@code
 * try (GradientTape tape = GradientTape.record()) {
 *   tape.backward(loss(network.logits(ps, x, true), y));
 * }
 * }</pre>
 */
public final class GradientTape implements AutoCloseable {

  private final boolean previousMode;
  private boolean closed;

  private GradientTape(boolean previousMode) {
    this.previousMode = previousMode;
  }

  /** Starts recording on the calling thread; close on the same thread. */
  public static GradientTape record() {
    boolean previous = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
    return new GradientTape(previous);
  }

  /**
   * Back-propagates from {@code target} (d target / d target = 1), adding to the gradient of
   * every leaf that requires one; the recorded graph is freed.
   *
   * @throws IllegalArgumentException if {@code target} is not a PyTorch array
   */
  public void backward(NDArray target) {
    if (!(target instanceof PtNDArray pt)) {
      throw new IllegalArgumentException(
          "GradientTape works on the PyTorch engine only, got an array of " + target.getManager().getEngine());
    }
    try (PtNDArray seed = (PtNDArray) target.onesLike()) {
      JniUtils.backward(pt, seed, false, false);
    }
  }

  /**
   * Runs in-place updates of leaf arrays with PyTorch's gradient mode off, then restores the thread's
   * mode (it is thread-local, and a thread other than the one that started the engine begins with it
   * on; in-place updates of leaves that require gradients fail in that mode).
   */
  public static void withoutRecording(Runnable update) {
    boolean was = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      update.run();
    } finally {
      JniUtils.setGradMode(was);
    }
  }

  /** Restores the thread's previous grad mode. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      JniUtils.setGradMode(previousMode);
    }
  }
}
