package io.robustcl.ml.train;

/**
 * Step decay ({@code torch.optim.lr_scheduler.StepLR}): {@code lr = baseLr * gamma^floor(epoch / stepEpochs)}.
 */
public record StepSchedule(double baseLr, int stepEpochs, double gamma) implements LearningRateSchedule {
  public StepSchedule {
    Schedules.requireRate("baseLr", baseLr);
    if (stepEpochs < 1) {
      throw new IllegalArgumentException("stepEpochs must be >= 1, got " + stepEpochs);
    }
    Schedules.requireRate("gamma", gamma);
  }

  @Override
  public double lr(int epoch, int stepInEpoch) {
    return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepEpochs));
  }
}
