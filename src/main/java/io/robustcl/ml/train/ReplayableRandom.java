package io.robustcl.ml.train;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The epoch's generator, recording what one step draws so that the step can be re-run with exactly the
 * same random numbers (augmentation parameters, attack starts, engine-side seeds): NaN forensics re-runs
 * a failed step and must see the same computation. Each call is delegated to the wrapped generator's own
 * method, so the values are those the generator alone would give; {@link SplittableRandom} has no way to
 * copy its state, hence the record.
 */
final class ReplayableRandom implements RandomGenerator {
  private final RandomGenerator source;
  private long[] drawn = new long[1024];
  private int count;

  ReplayableRandom(RandomGenerator source) {
    this.source = source;
  }

  /** Forgets the record: the next draws belong to a new step. */
  void startStep() {
    count = 0;
  }

  /**
   * A generator that returns this step's draws again, in order, as the same kinds of call.
   *
   * @throws IllegalStateException from the replay when it is asked for more or other draws than recorded
   */
  RandomGenerator replayStep() {
    long[] record = Arrays.copyOf(drawn, count);
    return new RandomGenerator() {
      private int next;

      private long take() {
        if (next >= record.length) {
          throw new IllegalStateException("the re-run of the step drew more random numbers than the step itself ("
              + record.length + "): the step is not deterministic given its generator");
        }
        return record[next++];
      }

      @Override
      public long nextLong() {
        return take();
      }

      @Override
      public int nextInt() {
        return (int) take();
      }

      @Override
      public int nextInt(int bound) {
        return (int) take();
      }

      @Override
      public int nextInt(int origin, int bound) {
        return (int) take();
      }

      @Override
      public long nextLong(long bound) {
        return take();
      }

      @Override
      public long nextLong(long origin, long bound) {
        return take();
      }

      @Override
      public double nextDouble() {
        return Double.longBitsToDouble(take());
      }

      @Override
      public double nextDouble(double bound) {
        return Double.longBitsToDouble(take());
      }

      @Override
      public double nextDouble(double origin, double bound) {
        return Double.longBitsToDouble(take());
      }

      @Override
      public float nextFloat() {
        return Float.intBitsToFloat((int) take());
      }

      @Override
      public boolean nextBoolean() {
        return take() != 0;
      }

      @Override
      public double nextGaussian() {
        return Double.longBitsToDouble(take());
      }
    };
  }

  private long keep(long value) {
    if (count == drawn.length) {
      drawn = Arrays.copyOf(drawn, count * 2);
    }
    drawn[count++] = value;
    return value;
  }

  @Override
  public long nextLong() {
    return keep(source.nextLong());
  }

  @Override
  public int nextInt() {
    return (int) keep(source.nextInt());
  }

  @Override
  public int nextInt(int bound) {
    return (int) keep(source.nextInt(bound));
  }

  @Override
  public int nextInt(int origin, int bound) {
    return (int) keep(source.nextInt(origin, bound));
  }

  @Override
  public long nextLong(long bound) {
    return keep(source.nextLong(bound));
  }

  @Override
  public long nextLong(long origin, long bound) {
    return keep(source.nextLong(origin, bound));
  }

  @Override
  public double nextDouble() {
    return Double.longBitsToDouble(keep(Double.doubleToRawLongBits(source.nextDouble())));
  }

  @Override
  public double nextDouble(double bound) {
    return Double.longBitsToDouble(keep(Double.doubleToRawLongBits(source.nextDouble(bound))));
  }

  @Override
  public double nextDouble(double origin, double bound) {
    return Double.longBitsToDouble(keep(Double.doubleToRawLongBits(source.nextDouble(origin, bound))));
  }

  @Override
  public float nextFloat() {
    return Float.intBitsToFloat((int) keep(Float.floatToRawIntBits(source.nextFloat())));
  }

  @Override
  public boolean nextBoolean() {
    return keep(source.nextBoolean() ? 1 : 0) != 0;
  }

  @Override
  public double nextGaussian() {
    return Double.longBitsToDouble(keep(Double.doubleToRawLongBits(source.nextGaussian())));
  }
}
