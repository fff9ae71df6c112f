package io.robustcl.ml.train;

import ai.djl.ndarray.NDManager;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.BatchLoader;
import java.util.random.RandomGenerator;

/**
 * The data of a training loop: a fresh pass over the training set per epoch.
 *
 * <p>The batches of an epoch must depend only on the epoch number and the generator passed to
 * {@link #epoch}, so that a resumed run sees the same batches as an uninterrupted one.
 */
public interface BatchSource {
  /** The number of batches {@link #epoch} yields. */
  int batchesPerEpoch();

  /** The pass of epoch {@code epoch} (0-based); {@code random} is that epoch's generator. */
  EpochBatches epoch(int epoch, RandomGenerator random);

  /** The batches of one epoch; each is created on the manager given to {@link #next}. */
  interface EpochBatches {
    boolean hasNext();

    Batch next(NDManager manager);
  }

  /** A loader's batches; its shuffling depends on its own seed and the epoch number only. */
  static BatchSource of(BatchLoader loader) {
    return new BatchSource() {
      @Override
      public int batchesPerEpoch() {
        return loader.batchesPerEpoch();
      }

      @Override
      public EpochBatches epoch(int epoch, RandomGenerator random) {
        int[][] batches = loader.batchIndices(epoch);
        return new EpochBatches() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < batches.length;
          }

          @Override
          public Batch next(NDManager manager) {
            int[] indices = batches[next++];
            return new Batch(loader.set().images(manager, indices), loader.set().labels(manager, indices), indices);
          }
        };
      }
    };
  }
}
