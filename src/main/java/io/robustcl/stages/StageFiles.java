package io.robustcl.stages;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.model.Network;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.StageContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file layout of the artifacts stages exchange, and reading them back with errors that name
 * the producing stage. Only called from {@code run}: it touches DJL.
 */
final class StageFiles {

  /** Network file of model and classifier artifacts. */
  static final String NETWORK = "network.bin";
  /** Train split directory of a dataset artifact. */
  static final String TRAIN = "train";
  /** Test split directory of a dataset artifact. */
  static final String TEST = "test";
  /** Adversarial images (with true labels) of an adversarial-set artifact. */
  static final String ADVERSARIAL_IMAGES = "images";
  /**
   * Lineage: {@code {"encoder": <content hash of the artifact that trained the encoder>}}. Written by
   * stages that keep their input's encoder frozen and by {@code attack}; absent means the
   * artifact trained its own encoder.
   */
  static final String LINEAGE = "lineage.json";

  private StageFiles() {}

  static ImageSet imageSet(Artifact artifact, String split) throws IOException {
    Path dir = artifact.file(split);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("artifact of stage '" + artifact.stageName() + "' (" + artifact.stageType()
          + ") has no '" + split + "' image set; wire a dataset stage there");
    }
    // mapped, not read: a split is paged in as batches touch it (STL-10's unlabeled split is 100,000 images)
    return ImageSet.open(dir);
  }

  static Network network(Artifact artifact, NDManager manager) throws IOException {
    if (ModelInput.scripted(artifact)) {
      throw ModelInput.notANetwork(artifact, "input 'model'",
          "this stage needs robustcl's own network (encoder features f(x), its weights)");
    }
    Path file = artifact.file(NETWORK);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("artifact of stage '" + artifact.stageName() + "' (" + artifact.stageType()
          + ") has no " + NETWORK);
    }
    return Network.load(file, manager);
  }

  /** Like {@link #network} but requires the head l, naming the stage and how to get one. */
  static Network classifier(Artifact artifact, NDManager manager) throws IOException {
    Network network = network(artifact, manager);
    if (network.head() == null) {
      throw new IllegalStateException("stage '" + artifact.stageName() + "' produced a network without a linear head;"
          + " feed it through linear-eval, robust-linear-eval or fine-tune first");
    }
    return network;
  }

  /** The content hash of the artifact whose training produced {@code artifact}'s encoder. */
  static String encoderOrigin(Artifact artifact) throws IOException {
    Path file = artifact.file(LINEAGE);
    if (!Files.isRegularFile(file)) {
      return artifact.contentHash();
    }
    JsonObject json = new Gson().fromJson(Files.readString(file, StandardCharsets.UTF_8), JsonObject.class);
    return json.get("encoder").getAsString();
  }

  static void writeLineage(StageContext ctx, String encoderOrigin) throws IOException {
    JsonObject json = new JsonObject();
    json.addProperty("encoder", encoderOrigin);
    Files.writeString(ctx.outputDir().resolve(LINEAGE), json + "\n", StandardCharsets.UTF_8);
  }

  /** Writes the metrics also as {@code metrics.json}, so the artifact is self-describing. */
  static void writeMetrics(StageContext ctx, java.util.Map<String, Double> metrics) throws IOException {
    JsonObject json = new JsonObject();
    new java.util.TreeMap<>(metrics).forEach(json::addProperty);
    Files.writeString(ctx.outputDir().resolve("metrics.json"),
        new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n", StandardCharsets.UTF_8);
    metrics.forEach(ctx::putMetric);
  }

  static int[] range(int from, int to) {
    int[] out = new int[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }
}
