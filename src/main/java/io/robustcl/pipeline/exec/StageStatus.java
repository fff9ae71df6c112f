package io.robustcl.pipeline.exec;

/** What happened to one stage of a run. */
public enum StageStatus {
  /** its artifact was in the cache (possibly committed by a concurrent run) */
  CACHED,
  /** it ran and its artifact was committed */
  DONE,
  /** it threw; nothing was committed */
  FAILED,
  /** it was interrupted by Ctrl-C or fail-fast; nothing was committed */
  CANCELLED,
  /** it did not start: an upstream stage failed, or the run was cancelled first */
  SKIPPED;

  /** True if the stage's artifact is available. */
  public boolean ok() {
    return this == CACHED || this == DONE;
  }
}
