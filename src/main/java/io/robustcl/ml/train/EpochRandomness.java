package io.robustcl.ml.train;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Randomness of one epoch derived from {@code (seed, epoch)} alone, so that resuming at an epoch
 * reproduces exactly the randomness an uninterrupted run would have used: nothing of the generators'
 * internal state needs saving.
 */
final class EpochRandomness {
  private EpochRandomness() {}

  /**
   * The epoch's generator. Everything random in a step draws from it, engine-side draws included
   * ({@code EngineDraws}), so no global generator state needs seeding or saving.
   */
  static RandomGenerator start(long seed, int epoch) {
    long mixed = new SplittableRandom(seed).split().nextLong() ^ (0x9E3779B97F4A7C15L * (epoch + 1L));
    return new SplittableRandom(mixed);
  }
}
