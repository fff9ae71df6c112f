package io.robustcl.pipeline.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Slurm commands the launcher uses, one call for many jobs where Slurm allows it. The
 * implementation runs the binaries ({@link SlurmCli}); tests may count the calls.
 */
public interface SlurmCommands {

  /** {@code sbatch --parsable OPTIONS SCRIPT}: the new job's id. */
  String submit(List<String> options, Path script) throws IOException, InterruptedException;

  /**
   * One {@code squeue} for all of this user's jobs (recently finished ones too, while Slurm
   * keeps them), filtered to {@code jobIds}. A job missing from the map is unknown to the
   * controller now.
   */
  Map<String, SlurmJobState> queue(Collection<String> jobIds) throws IOException, InterruptedException;

  /**
   * The final state of jobs that left the queue: {@code sacct} where accounting or job
   * completion logging is on, else {@code scontrol show job} while the controller still
   * remembers them. Jobs nobody knows are missing from the map.
   */
  Map<String, SlurmJobState> finished(Collection<String> jobIds) throws IOException, InterruptedException;

  /** {@code scancel} for all of {@code jobIds} in one call. */
  void cancel(Collection<String> jobIds) throws IOException, InterruptedException;

  /** The node list of a job, if Slurm still knows it. */
  default Optional<String> node(String jobId) throws IOException, InterruptedException {
    SlurmJobState state = queue(List.of(jobId)).get(jobId);
    return state == null || state.node().isEmpty() ? Optional.empty() : Optional.of(state.node());
  }
}
