package io.robustcl.stages;

import io.robustcl.pipeline.StageContext;

/** The computation of a stage; waits for the ml.train methods to land. */
final class FineTuneRun {

  private final StageContext ctx;

  FineTuneRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() {
    throw new UnsupportedOperationException("stage '" + ctx.stageName() + "': this build lacks the ml.train methods");
  }
}
