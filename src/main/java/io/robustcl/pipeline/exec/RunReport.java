package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.cache.Manifest;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a run: one {@link StageOutcome} per stage of the targets' closure, in
 * topological order.
 *
 * @param targets the target name -> the stages it builds
 * @param outcomes stage name -> outcome
 * @param elapsed wall time of the whole run
 * @param cancelReason why the run was cancelled, or null if it was not
 */
public record RunReport(
    ImmutableMap<String, ImmutableList<String>> targets,
    ImmutableMap<String, StageOutcome> outcomes,
    Duration elapsed,
    @Nullable String cancelReason) {

  /** True if every stage's artifact is available. */
  public boolean succeeded() {
    return outcomes.values().stream().allMatch(o -> o.status().ok());
  }

  /** How many stages ended with {@code status}. */
  public long count(StageStatus status) {
    return outcomes.values().stream().filter(o -> o.status() == status).count();
  }

  /** The manifest of {@code stage}'s artifact, or null if it has none. */
  public @Nullable Manifest manifest(String stage) {
    StageOutcome outcome = outcomes.get(stage);
    return outcome == null ? null : outcome.manifest();
  }

  /** One line, e.g. {@code "12 stages: 10 cached, 1 done, 1 failed, 0 skipped in 3.2s"}. */
  public String summary() {
    StringBuilder s = new StringBuilder().append(outcomes.size()).append(" stages: ");
    String sep = "";
    for (StageStatus status : StageStatus.values()) {
      long n = count(status);
      if (n > 0 || status == StageStatus.CACHED || status == StageStatus.DONE) {
        s.append(sep).append(n).append(' ').append(status.name().toLowerCase());
        sep = ", ";
      }
    }
    s.append(" in ").append(ProgressBoard.clock(elapsed.toNanos() / 1e9));
    if (cancelReason != null) {
      s.append(" (cancelled: ").append(cancelReason).append(')');
    }
    return s.toString();
  }

  /** The failed stages with their errors. */
  public Map<String, String> failures() {
    ImmutableMap.Builder<String, String> out = ImmutableMap.builder();
    outcomes.forEach((name, o) -> {
      if (o.status() == StageStatus.FAILED) {
        out.put(name, o.error() == null ? "failed" : o.error());
      }
    });
    return out.buildOrThrow();
  }
}
