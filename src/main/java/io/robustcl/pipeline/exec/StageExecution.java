package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.KeyLock;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.cache.ManifestDraft;
import io.robustcl.pipeline.cache.PendingArtifact;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Steps 3 to 5 of executing one resolved stage, on a worker thread: lock the key (waiting for
 * another process that computes it), look the cache up again, launch the stage into a
 * temporary directory, commit it atomically. Whatever happens, the temporary directory is
 * gone and the lock released when {@link #call} returns.
 */
final class StageExecution {

  /** How a stage execution ended. */
  record Result(ResolvedStage stage, StageStatus status, @Nullable Manifest manifest, @Nullable Throwable error) {}

  private final ArtifactStore store;
  private final StageLauncher launcher;
  private final LaunchSettings launch;
  private final Supplier<ImmutableSortedMap<String, String>> versions;
  private final StageEvents events;
  private final CancelSignal cancel;

  StageExecution(
      ArtifactStore store,
      StageLauncher launcher,
      LaunchSettings launch,
      Supplier<ImmutableSortedMap<String, String>> versions,
      StageEvents events,
      CancelSignal cancel) {
    this.store = store;
    this.launcher = launcher;
    this.launch = launch;
    this.versions = versions;
    this.events = events;
    this.cancel = cancel;
  }

  Result call(ResolvedStage stage, boolean forced, String device) {
    try (KeyLock lock = lock(stage)) {
      if (!forced) {
        Optional<Manifest> committed = store.lookup(stage.key());
        if (committed.isPresent()) {
          return new Result(stage, StageStatus.CACHED, committed.get(), null); // another run computed it
        }
      }
      if (cancel.isCancelled()) {
        throw new CancellationException(cancel.reason());
      }
      try (PendingArtifact out = store.begin(lock)) {
        Instant start = Instant.now();
        LaunchRequest request = new LaunchRequest(
            stage.name(), stage.spec().type(), stage.key(), stage.spec().params(), stage.artifacts(),
            out.dir(), store.workDir(stage.key()), device, stage.spec().resources(), launch.schedulerOptions());
        LaunchOutcome outcome = launcher.launch(request, events, cancel);
        ManifestDraft draft = new ManifestDraft(
            stage.name(), stage.spec().type(), stage.stage().version(), stage.stage().outputKind(),
            stage.spec().params(), stage.inputs(), ImmutableSortedMap.copyOf(outcome.metrics()), start,
            Instant.now(), device, versions.get(), outcome.execution());
        return new Result(stage, StageStatus.DONE, out.commit(draft), null);
      }
    } catch (CancellationException | InterruptedException e) {
      return new Result(stage, StageStatus.CANCELLED, null, e);
    } catch (Throwable e) {
      if (cancel.isCancelled() && (Thread.currentThread().isInterrupted() || isInterruption(e))) {
        return new Result(stage, StageStatus.CANCELLED, null, e);
      }
      return new Result(stage, StageStatus.FAILED, null, e);
    } finally {
      Thread.interrupted(); // a cancel may have interrupted this worker; do not leak it to the next task
    }
  }

  private KeyLock lock(ResolvedStage stage) throws InterruptedException {
    Optional<KeyLock> free = store.tryLock(stage.key());
    if (free.isPresent()) {
      return free.get();
    }
    events.log(stage.name(), "waiting: another run holds the lock of key " + stage.key().substring(0, 12));
    return store.lock(stage.key());
  }

  private static boolean isInterruption(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof CancellationException
          || t instanceof java.nio.channels.ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }
}
