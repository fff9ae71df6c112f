package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;

/**
 * The outcome of {@link ArtifactStore#gc}: what was removed, or with a dry run what would be.
 *
 * @param dryRun true if nothing was removed
 * @param entries the removed (or removable) entries
 * @param busy keys skipped because a running process holds their lock
 */
public record GcReport(boolean dryRun, ImmutableList<Entry> entries, ImmutableList<String> busy) {

  /** What an entry is. */
  public enum Kind {
    /** a committed artifact whose key is not live */
    ARTIFACT,
    /** a checkpoint directory of a key that is not live */
    WORK,
    /** a temporary directory left by a dead run */
    TMP,
    /** a quarantined artifact */
    QUARANTINE,
    /** an unused lock file */
    LOCK
  }

  /**
   * One removed (or removable) entry.
   *
   * @param kind what it is
   * @param name its key or directory name
   * @param path where it lies
   * @param bytes total size of its files
   */
  public record Entry(Kind kind, String name, Path path, long bytes) {}

  /** Total bytes of all entries. */
  public long totalBytes() {
    return entries.stream().mapToLong(Entry::bytes).sum();
  }
}
