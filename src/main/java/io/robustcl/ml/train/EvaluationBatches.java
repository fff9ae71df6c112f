package io.robustcl.ml.train;

import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.ImageSet;

/** The in-order batches of an evaluation set. */
final class EvaluationBatches {
  private EvaluationBatches() {}

  static int[][] of(ImageSet set, int batchSize) {
    return new BatchLoader(set, batchSize, false, false, 0).batchIndices(0);
  }
}
