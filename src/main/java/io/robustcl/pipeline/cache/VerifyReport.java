package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;

/**
 * The outcome of {@link ArtifactStore#verify()}.
 *
 * @param checked number of artifacts re-hashed and found intact
 * @param quarantined corrupt artifacts, now moved out of the store
 * @param busy keys skipped because a running process holds their lock
 */
public record VerifyReport(int checked, ImmutableList<Corrupt> quarantined, ImmutableList<String> busy) {

  /**
   * A corrupt artifact.
   *
   * @param key its key
   * @param problems what is wrong, one line each (e.g. {@code "weights.bin: sha256 differs"})
   * @param movedTo where it now lies under the store's quarantine directory
   */
  public record Corrupt(String key, ImmutableList<String> problems, Path movedTo) {}

  /** True if nothing was corrupt. */
  public boolean clean() {
    return quarantined.isEmpty();
  }
}
