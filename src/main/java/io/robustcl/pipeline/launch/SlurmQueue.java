package io.robustcl.pipeline.launch;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The queue states of all jobs this run waits for, refreshed by one {@code squeue} call for
 * all of them at most once per {@code minInterval}, however many stages ask. Thread-safe.
 */
final class SlurmQueue {

  private final SlurmCommands slurm;
  private final long minIntervalNanos;
  private final Set<String> watched = new HashSet<>();
  private Map<String, SlurmJobState> last = Map.of();
  private long refreshedAt = Long.MIN_VALUE / 2;

  SlurmQueue(SlurmCommands slurm, Duration minInterval) {
    this.slurm = slurm;
    this.minIntervalNanos = minInterval.toNanos();
  }

  /** The job's latest known state, or empty when the controller does not list it. */
  synchronized Optional<SlurmJobState> state(String jobId) throws IOException, InterruptedException {
    boolean added = watched.add(jobId);
    long now = System.nanoTime();
    if (added || now - refreshedAt >= minIntervalNanos) {
      last = new HashMap<>(slurm.queue(Set.copyOf(watched)));
      refreshedAt = System.nanoTime();
    }
    return Optional.ofNullable(last.get(jobId));
  }

  synchronized void forget(String jobId) {
    watched.remove(jobId);
  }
}
