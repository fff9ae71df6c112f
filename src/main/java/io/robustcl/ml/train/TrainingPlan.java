package io.robustcl.ml.train;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * How long and where a {@link TrainingLoop} trains.
 *
 * @param methodName name used in messages (e.g. {@code rocl})
 * @param epochs total epochs, counting any already done before a resume
 * @param seed the run's seed; epoch {@code e}'s randomness derives from {@code (seed, e)} only
 * @param checkpointDirectory where epoch checkpoints go and resume comes from; null: no checkpoints
 */
public record TrainingPlan(String methodName, int epochs, long seed, @Nullable Path checkpointDirectory) {
  public TrainingPlan {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
  }
}
