package io.robustcl.pipeline.cache;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A content-addressed store of committed artifacts, keyed by stage key (hex SHA-256).
 *
 * <p>Implementations must be safe for several threads <em>and several processes</em> (child
 * JVMs, Slurm jobs on a shared filesystem) working on one store at once: nothing may assume
 * that all users of a store live in one JVM.
 *
 * <h2>How an executor computes a key</h2>
 * <pre>{@code
 * Optional<Manifest> hit = store.lookup(key);          // cheap: reads one manifest
 * if (hit.isEmpty()) {
 *   try (KeyLock lock = store.lock(key)) {             // blocks while another process computes it
 *     hit = store.lookup(key);                         // it may have been committed meanwhile
 *     if (hit.isEmpty()) {
 *       try (PendingArtifact out = store.begin(lock)) {
 *         stage.run(...out.dir()..., store.workDir(key) ...);
 *         hit = Optional.of(out.commit(draft));        // atomic: all files or nothing
 *       }                                              // close() without commit discards
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Failures of the filesystem surface as {@link java.io.UncheckedIOException}; a manifest
 * that cannot be read as {@link ManifestFormatException}; a malformed key as
 * {@link IllegalArgumentException} (see {@link CacheKeys#requireValid}).
 */
public interface ArtifactStore {

  /**
   * The committed artifact's manifest, or empty if {@code key} has no committed artifact.
   * Reads the manifest only (no re-hashing), so it is cheap enough to call once per stage of
   * a fully cached run.
   *
   * @throws ManifestFormatException if a manifest exists but cannot be read (unknown format
   *     version, malformed JSON, or written for another key)
   */
  Optional<Manifest> lookup(String key);

  /**
   * The directory holding the committed artifact's files (and {@code manifest.json}). The
   * directory exists only if {@link #lookup} finds the key. Callers must not write below it.
   */
  Path artifactDir(String key);

  /**
   * Takes the exclusive lock on {@code key}, waiting while another thread or process holds it.
   * The lock dies with its process, so a killed run never leaves a stale lock.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  KeyLock lock(String key) throws InterruptedException;

  /** Takes the lock on {@code key} if nobody holds it, else returns empty at once. */
  Optional<KeyLock> tryLock(String key);

  /**
   * Starts writing the artifact of {@code lock.key()} into a fresh temporary directory. The
   * lock must stay held until the pending artifact is committed or closed.
   *
   * @throws IllegalStateException if {@code lock} is released or not from this store
   */
  PendingArtifact begin(KeyLock lock);

  /**
   * The directory for resumable checkpoints of {@code key}, created if missing. It survives
   * failed and killed attempts and is deleted when the key's artifact commits.
   */
  Path workDir(String key);

  /**
   * Saves what this store learned that makes later look-ups cheaper (for {@link
   * LocalArtifactStore}, the manifests it checked and the external files it digested: see its
   * {@code lookup} and {@code fileDigest}), for later runs.
   * Advisory: never fails. Runs and plans call it when they end.
   */
  default void saveVerified() {}

  /**
   * The SHA-256 (64 hex digits) of the bytes of {@code file}, a file outside the store that a
   * stage reads (its external inputs). A store may memoize it by the file's identity across
   * runs ({@link LocalArtifactStore} does), so that a cached run need not read the file again.
   */
  default String fileDigest(Path file) throws IOException {
    return MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
  }

  /**
   * Opens this run's read lease: keys added to it are safe from {@link #gc} until it is
   * closed or its process dies. See {@link ReadLease} for the protocol.
   */
  ReadLease lease();

  /**
   * Moves the committed artifact of {@code lock.key()}, if any, to quarantine, so that the key
   * reads as a miss and is rebuilt. Used when its manifest is unreadable.
   *
   * @return where it now lies, or empty if the key had no committed artifact
   * @throws IllegalStateException if {@code lock} is released or not from this store
   */
  Optional<Path> quarantine(KeyLock lock);

  /**
   * Re-hashes the committed artifact of {@code lock.key()} and quarantines it if it is corrupt
   * (as {@link #verify()} does for every artifact).
   *
   * @return the problems found, or empty if it is intact or absent
   */
  Optional<VerifyReport.Corrupt> verify(KeyLock lock);

  /**
   * Cleans up after killed runs: removes temporary directories and leases whose owner is gone,
   * and puts back an artifact that a killed {@code --force} run had moved aside but not yet
   * replaced. Cheap when there is nothing to do (one directory listing); called at the start
   * of every run.
   *
   * @return how many entries it removed or restored
   */
  int recoverAbandoned();

  /**
   * Re-hashes every committed artifact and moves each corrupt one (a file changed, missing or
   * added, or an unreadable manifest) to quarantine, so that the next run rebuilds it.
   * Artifacts locked by a running process are skipped and reported as such.
   */
  VerifyReport verify();

  /**
   * Collects garbage: committed artifacts whose key is not in {@code liveKeys}, work
   * directories of such keys, temporary directories left by dead runs, quarantined artifacts
   * and unused lock files. Nothing that a running process holds the key lock of, or a read
   * lease on, is touched.
   *
   * @param dryRun if true, only lists what would be removed (with sizes) and removes nothing
   */
  GcReport gc(Set<String> liveKeys, boolean dryRun);
}
