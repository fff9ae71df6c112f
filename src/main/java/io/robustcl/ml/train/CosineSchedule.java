package io.robustcl.ml.train;

/**
 * Cosine annealing ({@code torch.optim.lr_scheduler.CosineAnnealingLR} with {@code T_max = periodEpochs},
 * {@code eta_min = finalLr}): {@code lr = finalLr + (baseLr - finalLr) (1 + cos(pi t / periodEpochs)) / 2}.
 *
 * <p>With {@code stepsPerEpoch <= 1} the rate changes once per epoch ({@code t = epoch}, as the papers'
 * code steps it); with {@code stepsPerEpoch > 1} it changes every step ({@code t = epoch + step / stepsPerEpoch}).
 * Past {@code periodEpochs} the rate stays at {@code finalLr}. RUSH: base 0.5, final 0.001.
 */
public record CosineSchedule(double baseLr, double finalLr, int periodEpochs, int stepsPerEpoch)
    implements LearningRateSchedule {
  public CosineSchedule {
    Schedules.requireRate("baseLr", baseLr);
    Schedules.requireRate("finalLr", finalLr);
    if (periodEpochs < 1) {
      throw new IllegalArgumentException("periodEpochs must be >= 1, got " + periodEpochs);
    }
  }

  /** Cosine stepped once per epoch. */
  public static CosineSchedule perEpoch(double baseLr, double finalLr, int periodEpochs) {
    return new CosineSchedule(baseLr, finalLr, periodEpochs, 1);
  }

  @Override
  public double lr(int epoch, int stepInEpoch) {
    double t = stepsPerEpoch > 1 ? epoch + (double) stepInEpoch / stepsPerEpoch : epoch;
    if (t >= periodEpochs) {
      return finalLr;
    }
    return finalLr + (baseLr - finalLr) * (1 + Math.cos(Math.PI * t / periodEpochs)) / 2;
  }
}
