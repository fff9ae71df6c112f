package io.robustcl.stages;

import io.robustcl.pipeline.StageContext;

/** The computation of a linear-eval stage; waits for the ml.train eval loops to land. */
final class HeadTrainingRun {

  private final StageContext ctx;
  private final boolean robust;

  HeadTrainingRun(StageContext ctx, boolean robust) {
    this.ctx = ctx;
    this.robust = robust;
  }

  void run() {
    throw new UnsupportedOperationException("stage '" + ctx.stageName() + "' (robust " + robust
        + "): this build lacks the ml.train eval loops");
  }
}
