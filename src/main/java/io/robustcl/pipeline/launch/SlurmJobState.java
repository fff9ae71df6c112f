package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableSet;

/**
 * One job as Slurm reports it.
 *
 * @param jobId the job id
 * @param state Slurm's state name, e.g. {@code RUNNING}, {@code COMPLETED}, {@code TIMEOUT}
 * @param reason Slurm's reason or exit code text, possibly empty
 * @param node the node list it ran on, possibly empty
 */
public record SlurmJobState(String jobId, String state, String reason, String node) {

  private static final ImmutableSet<String> ACTIVE = ImmutableSet.of(
      "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "RESIZING", "REQUEUED", "REQUEUE_HOLD",
      "REQUEUE_FED", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD");

  /** Whether the job may still run: it is neither finished nor failed. */
  public boolean active() {
    return ACTIVE.contains(baseState());
  }

  /** The state without Slurm's qualifiers ({@code CANCELLED by 0} -> {@code CANCELLED}). */
  public String baseState() {
    int space = state.indexOf(' ');
    String base = space < 0 ? state : state.substring(0, space);
    return base.endsWith("+") ? base.substring(0, base.length() - 1) : base;
  }
}
