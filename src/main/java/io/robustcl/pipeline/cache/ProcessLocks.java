package io.robustcl.pipeline.cache;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;

/**
 * The in-process half of a key lock: one semaphore per lock file, shared by the whole JVM.
 *
 * <p>This is deliberately process-wide state. OS file locks ({@code fcntl}) belong to the
 * process, and closing <em>any</em> descriptor of a locked file, even one opened by another
 * object, silently releases the process's lock on it. So before a thread so much as opens a
 * lock file, it must hold the file's semaphore, and that exclusion must span every
 * {@link LocalArtifactStore} over the same directory in this JVM, not one instance.
 */
final class ProcessLocks {

  private static final ConcurrentMap<Path, Semaphore> SEMAPHORES = new ConcurrentHashMap<>();

  /**
   * The keys of every read lease this JVM holds, by the lease file's real path. For the same
   * reason as above, {@code gc} in this JVM reads these leases from here and never opens
   * their files: closing its descriptor would drop the owner's lock, and with it the lease.
   */
  static final ConcurrentMap<Path, Set<String>> LEASES = new ConcurrentHashMap<>();

  private ProcessLocks() {}

  /** The semaphore guarding {@code lockFile}, which must be an absolute, real path. */
  static Semaphore of(Path lockFile) {
    return SEMAPHORES.computeIfAbsent(lockFile, f -> new Semaphore(1));
  }
}
