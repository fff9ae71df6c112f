package io.robustcl.ml.train;

import java.util.List;

/**
 * Multi-step decay ({@code torch.optim.lr_scheduler.MultiStepLR}): the rate is multiplied by
 * {@code gamma} at each milestone epoch, i.e. {@code lr = baseLr * gamma^(number of milestones <= epoch)}.
 * RoCL's linear evaluation: base 0.1, milestones 30, 50, 100, gamma 0.1; ASCL: milestones at 60% and 80%
 * of the epochs (see {@link #atFractions}).
 */
public record MultiStepSchedule(double baseLr, List<Integer> milestones, double gamma)
    implements LearningRateSchedule {
  public MultiStepSchedule {
    Schedules.requireRate("baseLr", baseLr);
    Schedules.requireRate("gamma", gamma);
    milestones = List.copyOf(milestones);
    for (int i = 0; i < milestones.size(); i++) {
      if (milestones.get(i) < 0 || (i > 0 && milestones.get(i) <= milestones.get(i - 1))) {
        throw new IllegalArgumentException(
            "milestones must be non-negative and strictly increasing, got " + milestones);
      }
    }
  }

  /** Milestones at {@code round(f * epochs)} for each fraction, e.g. ASCL's 0.6 and 0.8. */
  public static MultiStepSchedule atFractions(double baseLr, int epochs, double gamma, double... fractions) {
    java.util.ArrayList<Integer> m = new java.util.ArrayList<>();
    for (double f : fractions) {
      int e = (int) Math.round(f * epochs);
      if (m.isEmpty() || e > m.get(m.size() - 1)) {
        m.add(e);
      }
    }
    return new MultiStepSchedule(baseLr, m, gamma);
  }

  @Override
  public double lr(int epoch, int stepInEpoch) {
    int passed = 0;
    for (int m : milestones) {
      if (epoch >= m) {
        passed++;
      }
    }
    return baseLr * Math.pow(gamma, passed);
  }
}
