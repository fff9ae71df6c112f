package io.robustcl.stages;

import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.pipeline.Params;
import java.util.random.RandomGenerator;

/**
 * How the {@code evaluate} stage turns a network into the classifier that is attacked and scored
 * (param {@code inference}): plain logits, or a defence with test-time randomness (transformation
 * smoothing, RUSH's noise) whose attacks then need EoT. Registered in {@link InferenceModes}.
 *
 * @param doc one line for {@code pipeline stages}
 * @param randomised whether predictions are random (skips the determinism check; use autoattack-rand)
 */
record InferenceMode(String doc, boolean randomised, Factory factory) {

  /** Makes the attacked classifier of a mode. */
  @FunctionalInterface
  interface Factory {
    AttackedClassifier classifier(ModelInput model, ParameterStore store, int classes, RandomGenerator random,
        Params params);
  }

  /**
   * @param model a classifier: a network with its head, or a TorchScript classifier (standard mode only)
   * @param store the parameter store of inference-mode forward passes
   * @param classes C
   * @param random the mode's own randomness (noise, augmentations)
   * @param params the stage's params (a mode's own settings, e.g. {@code smoothing_draws})
   */
  AttackedClassifier classifier(ModelInput model, ParameterStore store, int classes, RandomGenerator random,
      Params params) {
    return factory.classifier(model, store, classes, random, params);
  }
}
