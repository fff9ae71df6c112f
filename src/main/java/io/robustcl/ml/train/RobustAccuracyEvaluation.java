package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.Attack;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.model.Network;
import java.util.List;

/**
 * White-box robust accuracy: each test batch is attacked through f and l (cross-entropy objective,
 * inference mode) and l(f(.)) is scored on the adversarial examples the attack returned.
 */
public final class RobustAccuracyEvaluation {
  /**
   * @param attack e.g. RoCL's evaluation PGD-20 l_inf eps 0.0314 step 0.00314 with random start
   */
  public record Settings(Attack attack, int batchSize) {
    public static Settings roclPgd20() {
      return new Settings(PgdAttack.linf(0.0314, 0.00314, 20), 256);
    }
  }

  private final Network network;
  private final ImageSet data;
  private final Settings settings;
  private final List<NDArray> parameterArrays;

  public RobustAccuracyEvaluation(Network network, ImageSet data, Settings settings) {
    this.network = network;
    this.data = data;
    this.settings = settings;
    this.parameterArrays = FrozenParameters.arraysOf(network.parameters());
  }

  /** Robust accuracy over the data; {@code random} drives the attack's random starts. */
  public Accuracy run(NDManager manager, java.util.random.RandomGenerator random) {
    ParameterStore ps = new ParameterStore(manager, false);
    Accuracy total = Accuracy.empty();
    for (int[] indices : EvaluationBatches.of(data, settings.batchSize())) {
      try (NDManager sub = manager.newSubManager()) {
        NDArray x = data.images(sub, indices);
        NDArray y = data.labels(sub, indices);
        NDArray adv = settings.attack().perturb(
            x, new ClassificationObjective(in -> network.logits(ps, in, false), y, network.spec().classes()), parameterArrays, random);
        total = total.plus(Accuracy.of(network.logits(ps, adv, false).argMax(1), y));
      }
    }
    return total;
  }
}
