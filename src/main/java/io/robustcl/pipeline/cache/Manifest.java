package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.Params;
import java.time.Duration;
import java.time.Instant;

/**
 * The record of a committed artifact, persisted as {@code manifest.json} beside its files
 * (format: {@link ManifestJson}).
 *
 * @param key the producing stage's key (hex SHA-256)
 * @param stageName the producing stage's name in the pipeline file at commit time
 * @param stageType the producing stage type
 * @param stageVersion the stage type's version
 * @param outputKind the artifact's kind
 * @param params the resolved params ({@code Long} and {@code Double} kept apart)
 * @param inputs per input port, the feeding artifacts in order
 * @param files every file of the artifact by relative path ({@code /}-separated), without
 *     {@code manifest.json}
 * @param contentHash hex SHA-256 over {@code files} (see {@link ContentHash#of})
 * @param metrics named scalar metrics
 * @param startTime when the computation started
 * @param endTime when it ended
 * @param device the device it ran on
 * @param versions software versions the caller recorded
 * @param execution where it ran (launcher, host, Slurm job id and node, ...); empty in
 *     manifests written before robustcl recorded it
 */
public record Manifest(
    String key,
    String stageName,
    String stageType,
    int stageVersion,
    String outputKind,
    Params params,
    ImmutableSortedMap<String, ImmutableList<InputRef>> inputs,
    ImmutableSortedMap<String, FileEntry> files,
    String contentHash,
    ImmutableSortedMap<String, Double> metrics,
    Instant startTime,
    Instant endTime,
    String device,
    ImmutableSortedMap<String, String> versions,
    ImmutableSortedMap<String, String> execution) {

  public Manifest {
    CacheKeys.requireValid(key);
    CacheKeys.requireValid(contentHash);
  }

  /** The manifest of {@code draft} committed as {@code key} with these files. */
  static Manifest of(String key, ManifestDraft draft, ImmutableSortedMap<String, FileEntry> files) {
    return new Manifest(
        key, draft.stageName(), draft.stageType(), draft.stageVersion(), draft.outputKind(),
        draft.params(), draft.inputs(), files, ContentHash.of(files), draft.metrics(),
        draft.startTime(), draft.endTime(), draft.device(), draft.versions(), draft.execution());
  }

  /** Wall time of the computation. */
  public Duration duration() {
    return Duration.between(startTime, endTime);
  }

  /** Total size of the artifact's files in bytes. */
  public long totalBytes() {
    return files.values().stream().mapToLong(FileEntry::size).sum();
  }
}
