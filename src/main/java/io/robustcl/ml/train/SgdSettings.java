package io.robustcl.ml.train;

/**
 * Settings of {@link SgdOptimizer}.
 *
 * @param momentum heavy-ball momentum (0.9 in all four papers)
 * @param weightDecay L2 coefficient added to the gradient ({@code d = g + wd w})
 * @param lars use LARS layer-wise trust ratios (You et al. 2017; as in SimCLR's code)
 * @param trustCoefficient LARS eta (0.001 in the LARS paper and SimCLR)
 */
public record SgdSettings(double momentum, double weightDecay, boolean lars, double trustCoefficient) {
  public SgdSettings {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    Schedules.requireRate("weightDecay", weightDecay);
    if (lars && !(trustCoefficient > 0)) {
      throw new IllegalArgumentException("LARS trust coefficient must be > 0, got " + trustCoefficient);
    }
  }

  /** Plain SGD with momentum and weight decay (PyTorch semantics). */
  public static SgdSettings sgd(double momentum, double weightDecay) {
    return new SgdSettings(momentum, weightDecay, false, 0.001);
  }

  /** SGD with LARS, eta 0.001. */
  public static SgdSettings lars(double momentum, double weightDecay) {
    return new SgdSettings(momentum, weightDecay, true, 0.001);
  }
}
