package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;
import java.util.random.RandomGenerator;

/**
 * RUSH's smoothed inference V_m: the majority vote of {@code argmax l(f(Q_i(x)))} over m draws of the
 * noise Q (m = 1: I_F; m = 64: I_F+), in inference mode. Ties go to the smallest class index.
 */
public final class SmoothedInference {
  /** @param draws m */
  public record Settings(ImageTransform noise, int draws, int batchSize) {
    public Settings {
      if (draws < 1) {
        throw new IllegalArgumentException("smoothed inference: draws must be >= 1, got " + draws);
      }
    }
  }

  private final Network network;
  private final Settings settings;

  public SmoothedInference(Network network, Settings settings) {
    if (network.head() == null) {
      throw new IllegalArgumentException("smoothed inference needs a network with a head");
    }
    this.network = network;
    this.settings = settings;
  }

  /** Vote counts (N, C) over the m draws. */
  public NDArray votes(ParameterStore ps, NDArray x, RandomGenerator random) {
    int classes = network.spec().classes();
    NDArray counts = null;
    for (int i = 0; i < settings.draws(); i++) {
      NDArray vote = network.logits(ps, settings.noise().apply(x, random), false).argMax(1).oneHot(classes);
      counts = counts == null ? vote : counts.add(vote);
    }
    return counts;
  }

  /** Predicted classes (N). */
  public NDArray predict(ParameterStore ps, NDArray x, RandomGenerator random) {
    return votes(ps, x, random).argMax(1);
  }

  public Accuracy accuracy(NDManager manager, ImageSet data, RandomGenerator random) {
    ParameterStore ps = new ParameterStore(manager, false);
    Accuracy total = Accuracy.empty();
    for (int[] indices : EvaluationBatches.of(data, settings.batchSize())) {
      try (NDManager sub = manager.newSubManager()) {
        total = total.plus(Accuracy.of(predict(ps, data.images(sub, indices), random), data.labels(sub, indices)));
      }
    }
    return total;
  }
}
