package io.robustcl.ml.model;

import java.util.List;

/**
 * Per-channel input standardisation {@code (x - mean) / std} applied as the encoder's first operation, so
 * that callers (attacks in particular) work on pixels in [0,1] and epsilons keep their pixel meaning.
 *
 * @param mean one value per input channel
 * @param std one positive value per input channel
 */
public record InputNormalization(List<Double> mean, List<Double> std) {

  /** The CIFAR-10 training-set channel statistics commonly used by the papers' code. */
  public static final InputNormalization CIFAR10 =
      new InputNormalization(List.of(0.4914, 0.4822, 0.4465), List.of(0.2470, 0.2435, 0.2616));

  public InputNormalization {
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    if (mean.size() != ResNetSpec.CHANNELS || std.size() != ResNetSpec.CHANNELS) {
      throw new IllegalArgumentException(
          "input normalisation needs " + ResNetSpec.CHANNELS + " means and stds, got " + mean + " / " + std);
    }
    for (double s : std) {
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("input normalisation std must be positive and finite, got " + std);
      }
    }
  }
}
