package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.train.SmoothedInference;
import io.robustcl.ml.train.TransformationSmoothedClassifier;
import io.robustcl.pipeline.Params;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The inference modes the {@code evaluate} stage knows, by the name of its {@code inference} param. */
final class InferenceModes {

  private InferenceModes() {}

  static Map<String, InferenceMode> all() {
    Map<String, InferenceMode> out = new LinkedHashMap<>();
    out.put("standard", new InferenceMode("the network's logits l(f(x)), deterministic", false,
        (model, store, classes, random, params) -> new AttackedClassifier(model.logits(store), model.parameters(),
            classes)));
    out.put(TRANSFORMATION_SMOOTHED, new InferenceMode(
        "RoCL eq. 8: l of f averaged over smoothing_draws random augmentations t ~ T (smoothing_augment);"
            + " fresh draws at every call, differentiable for EoT", true,
        (model, store, classes, random, params) -> {
          Network network = model.network("param 'inference'", TRANSFORMATION_SMOOTHED
              + " averages the encoder's features over augmentations; use inference: standard");
          List<NDArray> parameters = model.parameters();
          int draws = params.getInt("smoothing_draws");
          // T resizes its crops to the image side, known once the first batch arrives
          Map<Long, TransformationSmoothedClassifier> bySize = new java.util.HashMap<>();
          return new AttackedClassifier(x -> bySize.computeIfAbsent(x.getShape().get(2),
              size -> smoothed(network, params, draws, Math.toIntExact(size))).logits(store, x, random), parameters,
              classes);
        }));
    out.put("smoothed", new InferenceMode(
        "RUSH's V_m: noise Q (noise, noise_scale) on the input, m = draws; attacked through the log of the"
            + " softmax averaged over m draws (eq. 7), predicting by majority vote (m = 1: I_F, m = 64: I_F+)", true,
        (model, store, classes, random, params) -> {
          Network network = model.network("param 'inference'",
              "smoothed inference runs robustcl's network under noise; use inference: standard");
          List<NDArray> parameters = model.parameters();
          ImageTransform noise = java.util.Objects.requireNonNull(NoiseParams.from(params), "validated: noise is not none");
          return new SmoothedInference(network, new SmoothedInference.Settings(noise, params.getInt("draws"), 1))
              .classifier(store, parameters, random);
        }));
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
