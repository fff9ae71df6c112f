package io.robustcl.pipeline;

import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;

/**
 * A committed, immutable artifact as a downstream stage sees it.
 *
 * @param stageName name of the stage that feeds the port in the current pipeline file
 * @param stageType stage type that produced it, e.g. {@code "pretrain"}
 * @param kind the producer's {@link Stage#outputKind()}
 * @param key the producer's key (hex SHA-256)
 * @param contentHash hex SHA-256 over the artifact's files (sorted relative path + file
 *     hash); this, not the key, is what enters downstream keys
 * @param dir read-only directory holding the files; never write below it
 * @param params the producer's resolved params
 * @param metrics the producer's metrics
 */
public record Artifact(
    String stageName,
    String stageType,
    String kind,
    String key,
    String contentHash,
    Path dir,
    Params params,
    ImmutableMap<String, Double> metrics) {

  /** The file at {@code relativePath} inside the artifact (it may not exist). */
  public Path file(String relativePath) {
    Path resolved = dir.resolve(relativePath).normalize();
    if (!resolved.startsWith(dir)) {
      throw new IllegalArgumentException("path escapes artifact " + key + ": " + relativePath);
    }
    return resolved;
  }

  /**
   * The metric {@code name}.
   *
   * @throws IllegalArgumentException naming the artifact's stage if it has no such metric
   */
  public double metric(String name) {
    Double value = metrics.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "artifact of stage '" + stageName + "' has no metric '" + name + "'; it has " + metrics.keySet());
    }
    return value;
  }
}
