package io.robustcl.pipeline.exec;

import io.robustcl.pipeline.cache.Manifest;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The result of one stage in a run.
 *
 * @param stageName the stage
 * @param status what happened
 * @param manifest the committed artifact's manifest when {@link StageStatus#ok()}, else null
 * @param elapsed wall time spent on it by this run (zero when cached)
 * @param error what it threw, or why it was skipped, or null
 */
public record StageOutcome(
    String stageName, StageStatus status, @Nullable Manifest manifest, Duration elapsed, @Nullable String error) {}
