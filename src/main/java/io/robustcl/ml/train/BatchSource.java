package io.robustcl.ml.train;

import ai.djl.ndarray.NDManager;
import java.util.random.RandomGenerator;

/**
 * The data of a training loop: a fresh pass over the training set per epoch.
 *
 * <p>The order of an epoch's batches must depend only on the generator passed to {@link #epoch}, so
 * that a resumed run sees the same batches as an uninterrupted one.
 */
public interface BatchSource {
  /** The number of batches {@link #epoch} yields. */
  int batchesPerEpoch();

  /** A new pass over the data, shuffled with {@code random}. */
  EpochBatches epoch(RandomGenerator random);

  /** The batches of one epoch; each is created on the manager given to {@link #next}. */
  interface EpochBatches {
    boolean hasNext();

    TrainingBatch next(NDManager manager);
  }
}
