package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import java.util.List;

/**
 * Params and ports shared by the stages that put a new head on a pre-trained encoder
 * ({@code linear-eval}, {@code robust-linear-eval}, {@code fine-tune}).
 */
final class HeadTrainingSpecs {

  private HeadTrainingSpecs() {}

  /** {@code augment} (default flip) and {@code seed}. */
  static List<ParamSpec> augmentAndSeed() {
    return List.of(
        ParamSpec.string("augment", "flip", "augmentation of the training images: simclr, crop-flip (pad 4 + crop + flip), flip or none")
            .oneOf("simclr", "crop-flip", "flip", "none"),
        ParamSpec.integer("seed", 0, "seed of the head's initialisation, shuffling and attacks"));
  }

  /** {@code model} (a pre-trained network) and {@code data} (its train split is used). */
  static List<InputPort> ports(String modelDoc) {
    return List.of(
        InputPort.one("model", modelDoc, ArtifactKinds.MODEL),
        InputPort.one("data", "dataset whose train split is used", ArtifactKinds.DATASET));
  }
}
