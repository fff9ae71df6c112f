package io.robustcl.ml.train;

/**
 * Settings of {@link SgdOptimizer}.
 *
 * @param momentum heavy-ball momentum (0.9 in all four papers)
 * @param weightDecay L2 coefficient added to the gradient ({@code d = g + wd w})
 * @param lars use LARS layer-wise trust ratios (You et al. 2017)
 * @param trustCoefficient LARS eta (0.001 in the LARS paper, SimCLR and torchlars)
 * @param larsEveryParameter with LARS: adapt every parameter, biases and batch norm included, as the
 *     {@code torchlars} wrapper that RoCL's public code trains with; false: SimCLR's LARS, which leaves
 *     biases and batch-norm parameters unadapted and undecayed (see {@link SgdOptimizer})
 */
public record SgdSettings(
    double momentum, double weightDecay, boolean lars, double trustCoefficient, boolean larsEveryParameter) {
  public SgdSettings {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    Schedules.requireRate("weightDecay", weightDecay);
    if (lars && !(trustCoefficient > 0)) {
      throw new IllegalArgumentException("LARS trust coefficient must be > 0, got " + trustCoefficient);
    }
  }

  /** How messages name the update rule. */
  public String describe() {
    return !lars ? "SGD" : larsEveryParameter ? "torchlars LARS" : "LARS (SimCLR)";
  }

  /** Plain SGD with momentum and weight decay (PyTorch semantics). */
  public static SgdSettings sgd(double momentum, double weightDecay) {
    return new SgdSettings(momentum, weightDecay, false, 0.001, false);
  }

  /** SGD with SimCLR's LARS, eta 0.001. */
  public static SgdSettings lars(double momentum, double weightDecay) {
    return new SgdSettings(momentum, weightDecay, true, 0.001, false);
  }

  /** SGD wrapped in torchlars' LARS (every parameter adapted), eta 0.001: RoCL's public code. */
  public static SgdSettings larsEveryParameter(double momentum, double weightDecay) {
    return new SgdSettings(momentum, weightDecay, true, 0.001, true);
  }
}
