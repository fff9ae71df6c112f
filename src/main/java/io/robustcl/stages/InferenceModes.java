package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.train.TransformationSmoothedClassifier;
import io.robustcl.pipeline.Params;
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
          int classes, RandomGenerator random, Params params) {
        return new AttackedClassifier(x -> network.logits(store, x, false), parameters, classes);
      }
    });
    out.put(TRANSFORMATION_SMOOTHED, new InferenceMode() {
      @Override
      public String doc() {
        return "RoCL eq. 8: l of f averaged over smoothing_draws random augmentations t ~ T (smoothing_augment);"
            + " fresh draws at every call, differentiable for EoT";
      }

      @Override
      public boolean randomised() {
        return true;
      }

      @Override
      public AttackedClassifier classifier(Network network, ParameterStore store, List<NDArray> parameters,
          int classes, RandomGenerator random, Params params) {
        int draws = params.getInt("smoothing_draws");
        // T resizes its crops to the image side, known once the first batch arrives
        Map<Long, TransformationSmoothedClassifier> bySize = new java.util.HashMap<>();
        return new AttackedClassifier(x -> bySize.computeIfAbsent(x.getShape().get(2),
            size -> smoothed(network, params, draws, Math.toIntExact(size))).logits(store, x, random), parameters, classes);
      }
    });
    return out;
  }

  /** The name of RoCL's transformation-smoothed inference. */
  static final String TRANSFORMATION_SMOOTHED = "transformation-smoothed";

  /** RoCL's smoothed classifier over {@code draws} augmentations named by {@code smoothing_augment}. */
  static TransformationSmoothedClassifier smoothed(Network network, Params params, int draws, int size) {
    ImageTransform t = TrainingDriver.augmentation(params.getString("smoothing_augment"), size);
    if (t == null) {
      throw new IllegalArgumentException("param 'smoothing_augment': none is not a transformation; use simclr");
    }
    return new TransformationSmoothedClassifier(network, new TransformationSmoothedClassifier.Settings(t, draws,
        params.getInt("batch_size")));
  }
}
