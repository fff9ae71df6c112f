package io.robustcl.ml.train;

import ai.djl.engine.Engine;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Randomness of one epoch derived from {@code (seed, epoch)} alone, so that resuming at an epoch
 * reproduces exactly the randomness an uninterrupted run would have used: nothing of the generators'
 * internal state needs saving.
 */
final class EpochRandomness {
  private EpochRandomness() {}

  /** Seeds PyTorch's generator for the epoch and returns the epoch's Java-side generator. */
  static RandomGenerator start(long seed, int epoch) {
    long mixed = new SplittableRandom(seed).split().nextLong() ^ (0x9E3779B97F4A7C15L * (epoch + 1L));
    SplittableRandom epochRandom = new SplittableRandom(mixed);
    // torch.manual_seed takes the engine's int seed; attacks' random starts draw from it
    Engine.getInstance().setRandomSeed(epochRandom.nextInt() & Integer.MAX_VALUE);
    return epochRandom;
  }
}
