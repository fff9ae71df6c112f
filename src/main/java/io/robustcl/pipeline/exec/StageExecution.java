package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.KeyLock;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.cache.ManifestDraft;
import io.robustcl.pipeline.cache.ManifestFormatException;
import io.robustcl.pipeline.cache.PendingArtifact;
import io.robustcl.pipeline.cache.ReadLease;
import io.robustcl.pipeline.cache.VerifyReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
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
  private final java.util.function.Function<String, ImmutableSortedMap<String, String>> versions;
  private final StageEvents events;
  private final CancelSignal cancel;
  private final ReadLease lease;
  private final boolean verifyInputs;

  StageExecution(
      ArtifactStore store,
      StageLauncher launcher,
      LaunchSettings launch,
      java.util.function.Function<String, ImmutableSortedMap<String, String>> versions,
      StageEvents events,
      CancelSignal cancel,
      ReadLease lease,
      boolean verifyInputs) {
    this.store = store;
    this.launcher = launcher;
    this.launch = launch;
    this.versions = versions;
    this.events = events;
    this.cancel = cancel;
    this.lease = lease;
    this.verifyInputs = verifyInputs;
  }

  Result call(ResolvedStage stage, boolean forced, String device) {
    try (KeyLock lock = lock(stage)) {
      lease.add(stage.key()); // before the lookup, and kept for the artifact this run commits
      if (!forced) {
        Optional<Manifest> committed = trusted(lock, stage.name());
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
            Instant.now(), device, versions.apply(device), outcome.execution());
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

  /**
   * A cache hit served by the scheduler thread: the key is leased first (see {@link
   * ReadLease}), so gc keeps what this run reuses. With {@code --verify-inputs} the artifact is
   * re-hashed under its lock; when another process holds that lock, the stage goes to a worker,
   * which waits. Anything doubtful counts as a miss: the worker locks the key and looks again.
   */
  Optional<Manifest> cacheHit(String key, String name) {
    lease.add(key);
    if (!verifyInputs) {
      return PipelineRunner.lookup(store, key, name, events);
    }
    Optional<KeyLock> lock = store.tryLock(key);
    if (lock.isEmpty()) {
      return Optional.empty();
    }
    try (KeyLock held = lock.get()) {
      return trusted(held, name);
    }
  }

  /**
   * The committed artifact of the locked key, if it can be trusted. An unreadable manifest
   * (malformed, unsafe paths, broken seal) and, with {@code --verify-inputs}, an artifact whose
   * files do not match it are quarantined and count as a miss, so the stage is rebuilt instead
   * of failing on every run.
   */
  Optional<Manifest> trusted(KeyLock lock, String name) {
    Optional<Manifest> found;
    try {
      found = store.lookup(lock.key());
    } catch (ManifestFormatException e) {
      Optional<Path> moved = store.quarantine(lock);
      events.log(name, "unreadable cache entry" + moved.map(p -> " quarantined to " + p).orElse("")
          + ", rebuilding it: " + e.getMessage());
      return Optional.empty();
    }
    if (found.isPresent() && verifyInputs) {
      Optional<VerifyReport.Corrupt> corrupt = store.verify(lock);
      if (corrupt.isPresent()) {
        events.log(name, "corrupt cache entry quarantined to " + corrupt.get().movedTo() + ", rebuilding it: "
            + String.join("; ", corrupt.get().problems()));
        return Optional.empty();
      }
    }
    return found;
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
