package io.robustcl.pipeline.exec;

import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A run's one-way cancellation flag, set by Ctrl-C or by fail-fast after a stage failed.
 * Thread-safe. Running stages poll it through {@code StageContext.isCancelled()}; the
 * executor also interrupts their threads.
 */
public final class CancelSignal {

  private final AtomicReference<@Nullable String> reason = new AtomicReference<>();

  /** Cancels with {@code why}; later calls keep the first reason. */
  public void cancel(String why) {
    reason.compareAndSet(null, why);
  }

  public boolean isCancelled() {
    return reason.get() != null;
  }

  /** Why the run was cancelled, or null if it was not. */
  public @Nullable String reason() {
    return reason.get();
  }
}
