package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.model.Network;

/** Standard accuracy of l(f(x)) in inference mode (batch norms use running statistics). */
public final class CleanAccuracy {
  /** @param batchSize evaluation batch size (does not change results) */
  public record Settings(int batchSize) {
    public static Settings defaults() {
      return new Settings(256);
    }
  }

  private final Network network;
  private final ImageSet data;
  private final Settings settings;

  public CleanAccuracy(Network network, ImageSet data, Settings settings) {
    this.network = network;
    this.data = data;
    this.settings = settings;
  }

  public Accuracy run(NDManager manager) {
    ParameterStore ps = new ParameterStore(manager, false);
    Accuracy total = Accuracy.empty();
    for (int[] indices : EvaluationBatches.of(data, settings.batchSize())) {
      try (NDManager sub = manager.newSubManager()) {
        NDArray logits = network.logits(ps, data.images(sub, indices), false);
        total = total.plus(Accuracy.of(logits.argMax(1), data.labels(sub, indices)));
      }
    }
    return total;
  }
}
