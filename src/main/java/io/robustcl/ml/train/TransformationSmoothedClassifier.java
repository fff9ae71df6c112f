package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.model.Network;
import java.util.random.RandomGenerator;

/**
 * RoCL's transformation-smoothed classifier (eq. 8): {@code l((1/n) sum_i f(t_i(x)))}, t_i ~ T, the
 * penultimate features averaged over n random augmentations, in inference mode.
 */
public final class TransformationSmoothedClassifier {
  /** @param draws n (RoCL: accuracy grows with n, Fig. 3(d)) */
  public record Settings(ImageTransform augmentation, int draws, int batchSize) {
    public Settings {
      if (draws < 1) {
        throw new IllegalArgumentException("transformation smoothing: draws must be >= 1, got " + draws);
      }
    }
  }

  private final Network network;
  private final Settings settings;

  public TransformationSmoothedClassifier(Network network, Settings settings) {
    if (network.head() == null) {
      throw new IllegalArgumentException("transformation-smoothed inference needs a network with a head");
    }
    this.network = network;
    this.settings = settings;
  }

  /** Logits (N, C) of the smoothed classifier for x. */
  public NDArray logits(ParameterStore ps, NDArray x, RandomGenerator random) {
    NDArray sum = null;
    for (int i = 0; i < settings.draws(); i++) {
      NDArray f = network.features(ps, settings.augmentation().apply(x, random), false);
      sum = sum == null ? f : sum.add(f);
    }
    return network.classify(ps, DeviceScalars.uncounted().div(sum, settings.draws()), false);
  }

  /** Accuracy on a (clean or adversarial) test set. */
  public Accuracy accuracy(NDManager manager, ImageSet data, RandomGenerator random) {
    ParameterStore ps = new ParameterStore(manager, false);
    Accuracy total = Accuracy.empty();
    for (int[] indices : EvaluationBatches.of(data, settings.batchSize())) {
      try (NDManager sub = manager.newSubManager()) {
        total = total.plus(Accuracy.of(logits(ps, data.images(sub, indices), random).argMax(1), data.labels(sub, indices)));
      }
    }
    return total;
  }
}
