package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.attack.SmoothedClassifierAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;
import java.util.List;
import java.util.function.UnaryOperator;
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

  /**
   * Vote counts (N, C) over the m draws, attached to x's manager; each draw's forward pass lives in
   * its own sub-manager, so m = 64 holds one pass at a time.
   */
  public NDArray votes(ParameterStore ps, NDArray x, RandomGenerator random) {
    int classes = network.spec().classes();
    NDManager outer = x.getManager();
    NDArray counts = null;
    for (int i = 0; i < settings.draws(); i++) {
      try (NDManager draw = outer.newSubManager()) {
        x.tempAttach(draw);
        NDArray vote = network.logits(ps, settings.noise().apply(x, random), false).argMax(1).oneHot(classes);
        NDArray sum = counts == null ? vote : counts.add(vote);
        sum.attach(outer);
        if (counts != null) {
          counts.close();
        }
        counts = sum;
      }
    }
    return counts;
  }

  /** Predicted classes (N). */
  public NDArray predict(ParameterStore ps, NDArray x, RandomGenerator random) {
    return votes(ps, x, random).argMax(1);
  }

  /**
   * V_m as the AutoAttack family attacks it: the logits are log of the softmax averaged over m
   * fresh draws of Q ({@link SmoothedClassifierAttack#averagedLogProbabilities}), so PGD on their
   * cross-entropy follows RUSH eq. 7's gradient and the EoT of AutoAttack's rand version averages
   * it again; the prediction is the majority vote {@link #predict} over m other draws (eq. 4). Every
   * call draws afresh from {@code random}.
   */
  public AttackedClassifier classifier(ParameterStore ps, List<NDArray> parameters, RandomGenerator random) {
    UnaryOperator<NDArray> noisy = x -> settings.noise().apply(x, random);
    UnaryOperator<NDArray> logits = x -> network.logits(ps, x, false);
    return new AttackedClassifier(x -> SmoothedClassifierAttack.averagedLogProbabilities(logits, noisy, x, settings.draws()),
        parameters, network.spec().classes(), x -> predict(ps, x, random));
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
