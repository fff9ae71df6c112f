package io.robustcl.stages;

import io.robustcl.pipeline.StageContext;

/** The computation of a dataset stage; waits for the ml.data readers to land. */
final class DatasetBuilder {

  private DatasetBuilder() {}

  static void build(StageContext ctx) {
    throw new UnsupportedOperationException("stage '" + ctx.stageName() + "': this build lacks the ml.data readers");
  }
}
