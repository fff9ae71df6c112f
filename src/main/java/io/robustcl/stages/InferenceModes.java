package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.model.Network;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** The inference modes the {@code evaluate} stage knows, by the name of its {@code inference} param. */
final class InferenceModes {

  private InferenceModes() {}

  static Map<String, InferenceMode> all() {
    Map<String, InferenceMode> out = new LinkedHashMap<>();
    out.put("standard", new InferenceMode() {
      @Override
      public String doc() {
        return "the network's logits l(f(x)), deterministic";
      }

      @Override
      public boolean randomised() {
        return false;
      }

      @Override
      public AttackedClassifier classifier(Network network, ParameterStore store, List<NDArray> parameters,
          int classes, RandomGenerator random) {
        return new AttackedClassifier(x -> network.logits(store, x, false), parameters, classes);
      }
    });
    return out;
  }
}
