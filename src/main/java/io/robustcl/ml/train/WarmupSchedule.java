package io.robustcl.ml.train;

/**
 * Gradual linear warm-up followed by another schedule, with the semantics of the
 * {@code GradualWarmupScheduler} that RoCL's public code uses (Goyal et al. 2017).
 *
 * <p>For {@code multiplier > 1}: during epochs {@code 0..warmupEpochs} the rate rises linearly from
 * {@code baseLr} to {@code baseLr * multiplier}: {@code lr = baseLr ((multiplier - 1) epoch / warmupEpochs + 1)};
 * afterwards {@code after.lr(epoch - warmupEpochs, step)}, where {@code after} must start at
 * {@code baseLr * multiplier} (RoCL: base 0.1, multiplier 15, 10 warm-up epochs, then cosine from 1.5 with
 * {@code T_max} = the total epoch count, see {@link #rocl}). For {@code multiplier == 1} the rate
 * rises from 0: {@code lr = baseLr * epoch / warmupEpochs}.
 */
public record WarmupSchedule(double baseLr, double multiplier, int warmupEpochs, LearningRateSchedule after)
    implements LearningRateSchedule {
  public WarmupSchedule {
    Schedules.requireRate("baseLr", baseLr);
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("multiplier must be >= 1, got " + multiplier);
    }
    if (warmupEpochs < 1) {
      throw new IllegalArgumentException("warmupEpochs must be >= 1, got " + warmupEpochs);
    }
  }

  /**
   * RoCL's schedule as in its public code: {@code GradualWarmupScheduler(multiplier, total_epoch=10,
   * after_scheduler=CosineAnnealingLR(T_max=epochs))}; the cosine starts after warm-up from
   * {@code baseLr * multiplier} and, as in that code, its period is the total epoch count.
   */
  public static WarmupSchedule rocl(double baseLr, double multiplier, int warmupEpochs, int epochs) {
    return new WarmupSchedule(
        baseLr, multiplier, warmupEpochs, CosineSchedule.perEpoch(baseLr * multiplier, 0, Math.max(1, epochs)));
  }

  @Override
  public double lr(int epoch, int stepInEpoch) {
    if (epoch > warmupEpochs) {
      return after.lr(epoch - warmupEpochs, stepInEpoch);
    }
    if (multiplier == 1) {
      return baseLr * epoch / warmupEpochs;
    }
    return baseLr * ((multiplier - 1) * epoch / warmupEpochs + 1);
  }
}
