package io.robustcl.ml.device;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Derives independent, reproducible Java-side random generators from one seed.
 *
 * <p>A child generator depends only on the root seed and the child's name, never on how many numbers
 * were drawn elsewhere or in what order children were made, so adding a consumer does not shift the
 * streams of the others.
 */
public final class SeededRandoms {

  private final long seed;

  /** Creates the family of generators rooted at {@code seed}. */
  public SeededRandoms(long seed) {
    this.seed = seed;
  }

  /** The root seed. */
  public long seed() {
    return seed;
  }

  /** A fresh generator at the start of the root stream (equal for equal seeds). */
  public RandomGenerator root() {
    return new SplittableRandom(seed);
  }

  /**
   * A fresh generator for the named consumer (e.g. {@code "loader/train"}, {@code "augment"}); equal names
   * give equal streams, different names give streams seeded by well-mixed, distinct 64-bit values.
   */
  public RandomGenerator child(String name) {
    return new SplittableRandom(childSeed(name));
  }

  /** The 64-bit seed {@link #child(String)} uses for {@code name}. */
  public long childSeed(String name) {
    // FNV-1a over the UTF-8 name, then SplitMix64 finalisation of seed xor hash; a stable function,
    // unlike String.hashCode mixing which collides easily for short names.
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix64(mix64(seed) ^ h);
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
