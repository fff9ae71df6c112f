package io.robustcl.stages;

/**
 * The artifact kinds stage types produce; input ports accept artifacts by kind, so a
 * miswired stage (an attack whose model input is a dataset) is a config error before
 * anything runs.
 */
final class ArtifactKinds {

  /** {@code train/} and {@code test/} image sets. */
  static final String DATASET = "dataset";
  /** A pre-trained network: encoder f with projector g and/or head l ({@code network.bin}). */
  static final String MODEL = "model";
  /** A network with a trained head l, ready to classify ({@code network.bin}). */
  static final String CLASSIFIER = "classifier";
  /** Adversarial test images with their labels ({@code images/}) and the source's lineage. */
  static final String ADVERSARIAL_SET = "adversarial-set";
  /** Only metrics (and a {@code metrics.json}). */
  static final String METRICS = "metrics";
  /** A rendered table. */
  static final String TABLE = "table";

  private ArtifactKinds() {}
}
