package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.ScriptedClassifier;
import io.robustcl.pipeline.Artifact;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A model artifact read back by a stage that only classifies (evaluate, black-box, attack): either
 * robustcl's own {@link Network} ({@code network.bin}) or an opaque TorchScript classifier that
 * {@code import-model} kept as its file ({@code model.pt}, described by {@code model.json}). Stages that
 * need more than logits (features, the weights) ask for {@link #network}, which names the stage, the
 * param and the way out when the artifact holds a TorchScript module.
 */
final class ModelInput {

  /** The TorchScript module of a {@code torchscript} model artifact. */
  static final String SCRIPTED = "model.pt";
  /** The description of a model artifact that is not a {@code network.bin}: {@link Description}. */
  static final String DESCRIPTION = "model.json";
  /** {@link Description#kind} of a TorchScript classifier. */
  static final String TORCHSCRIPT = "torchscript";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /**
   * {@code model.json}.
   *
   * @param kind {@value #TORCHSCRIPT}
   * @param file the module's file in the artifact
   * @param classes K, the length of the logits
   * @param input the (channels, height, width) the module was checked on at import
   * @param inputRange the pixel range the module takes: [0, 1], any normalisation inside its forward
   * @param methods the module's scripted methods
   * @param source the file it was imported from
   */
  record Description(String kind, String file, int classes, List<Integer> input, List<Double> inputRange,
      List<String> methods, String source) {}

  private final Artifact artifact;
  private final @Nullable Network network;
  private final @Nullable ScriptedClassifier scripted;
  private final int classes;

  private ModelInput(Artifact artifact, @Nullable Network network, @Nullable ScriptedClassifier scripted,
      int classes) {
    this.artifact = artifact;
    this.network = network;
    this.scripted = scripted;
    this.classes = classes;
  }

  /** Writes {@code model.json} for a TorchScript module already copied to {@code dir}/{@value #SCRIPTED}. */
  static void describe(Path dir, Description description) throws IOException {
    Files.writeString(dir.resolve(DESCRIPTION), GSON.toJson(description) + "\n", StandardCharsets.UTF_8);
  }

  /** Whether the artifact holds a TorchScript classifier rather than a {@code network.bin}. */
  static boolean scripted(Artifact artifact) {
    return Files.isRegularFile(artifact.file(DESCRIPTION));
  }

  /**
   * Reads a classifier: a network with a head, or a TorchScript classifier.
   *
   * @throws IllegalStateException naming the producing stage when the artifact has no classifier
   */
  static ModelInput classifier(Artifact artifact, NDManager manager) throws IOException {
    if (!scripted(artifact)) {
      Network network = StageFiles.classifier(artifact, manager);
      return new ModelInput(artifact, network, null, network.spec().classes());
    }
    Description description = description(artifact);
    ScriptedClassifier scripted = ScriptedClassifier.load(artifact.file(description.file()), manager);
    return new ModelInput(artifact, null, scripted, description.classes());
  }

  /** The description of a TorchScript model artifact. */
  static Description description(Artifact artifact) throws IOException {
    Path file = artifact.file(DESCRIPTION);
    try {
      Description d = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Description.class);
      if (d == null || !TORCHSCRIPT.equals(d.kind()) || d.file() == null || d.classes() < 2) {
        throw new IllegalStateException(file + " is not a TorchScript model description (kind " + TORCHSCRIPT
            + ", file, classes >= 2); re-run stage '" + artifact.stageName() + "'");
      }
      return d;
    } catch (JsonParseException e) {
      throw new IllegalStateException(file + " is not valid JSON; re-run stage '" + artifact.stageName() + "'", e);
    }
  }

  /** K, the number of logits. */
  int classes() {
    return classes;
  }

  /** Whether this is a TorchScript classifier. */
  boolean isScripted() {
    return scripted != null;
  }

  /** x in [0,1] (N, C, H, W) -> logits (N, K), in inference mode, differentiable in x under a tape. */
  UnaryOperator<NDArray> logits(ParameterStore store) {
    if (scripted != null) {
      return scripted::logits;
    }
    Network n = java.util.Objects.requireNonNull(network);
    return x -> n.logits(store, x, false);
  }

  /** The parameter arrays an attack freezes: a TorchScript module's are frozen at load, so none. */
  List<NDArray> parameters() {
    return network == null ? List.of() : FrozenParameters.arraysOf(network.parameters());
  }

  /**
   * The robustcl network, for what needs more than logits.
   *
   * @param where the param or input of the consuming stage that asks for it, e.g. {@code param 'inference'}
   * @param need what it needs the network for, e.g. "transformation-smoothed inference averages encoder features"
   * @throws IllegalArgumentException for a TorchScript classifier, naming the param and the way out
   */
  Network network(String where, String need) {
    if (network == null) {
      throw notANetwork(artifact, where, need);
    }
    return network;
  }

  /** Checks that the model has one logit per class of the data. */
  void requireClasses(int dataClasses, String dataStage) {
    if (classes != dataClasses) {
      throw new IllegalArgumentException("input 'model': stage '" + artifact.stageName() + "' gives " + classes
          + " logits but the data of stage '" + dataStage + "' has " + dataClasses + " classes; wire a dataset"
          + " with the classes the model was trained on");
    }
  }

  /** The one-line error for a stage that needs robustcl's network but was given a TorchScript classifier. */
  static IllegalArgumentException notANetwork(Artifact artifact, String where, String need) {
    return new IllegalArgumentException(where + ": " + need + ", but stage '" + artifact.stageName()
        + "' imported an opaque TorchScript classifier (logits only); import the weights as a safetensors"
        + " state_dict instead (import-model file: model.safetensors)");
  }
}
