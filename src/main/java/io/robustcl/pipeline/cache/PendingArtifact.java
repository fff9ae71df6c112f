package io.robustcl.pipeline.cache;

import java.nio.file.Path;

/**
 * An artifact being written: files go below {@link #dir()}; {@link #commit} makes them the
 * key's artifact atomically; {@link #close()} without a commit deletes them. Not thread-safe.
 */
public interface PendingArtifact extends AutoCloseable {

  /** The key whose artifact this becomes. */
  String key();

  /** The empty temporary directory to write the artifact's files into. */
  Path dir();

  /**
   * Hashes every file below {@link #dir()}, writes {@code manifest.json}, forces everything to
   * disk and renames the directory into place in one atomic step, replacing any artifact the
   * key had (while an old artifact is being replaced, a concurrent {@code lookup} may miss;
   * the executor's lookup-lock-lookup pattern then waits for this lock and finds the new one).
   * Deletes the key's work directory afterwards.
   *
   * @return the manifest as written
   * @throws IllegalArgumentException if the directory holds something other than regular
   *     files and directories (e.g. a symbolic link), or a top-level {@code manifest.json}
   * @throws IllegalStateException if already committed or closed, or the key lock was released
   */
  Manifest commit(ManifestDraft draft);

  /** Deletes the temporary directory unless committed. Idempotent. */
  @Override
  void close();
}
