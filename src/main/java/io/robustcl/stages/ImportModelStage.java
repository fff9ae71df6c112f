package io.robustcl.stages;

import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.InputNormalization;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.SafetensorsFile;
import io.robustcl.ml.model.TorchStateDict;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage type {@code import-model}: a network trained elsewhere, read from a safetensors file
 * holding the PyTorch {@code state_dict} of the CIFAR ResNet of RoCL's and TRADES' public code
 * (names and mapping: {@link TorchStateDict}), optionally with RoCL's projector and a linear head.
 * The architecture is read off the tensors. The artifact is a {@code model} like a pre-training's:
 * {@code evaluate}, {@code attack}, {@code black-box} and {@code linear-eval} take it.
 */
public final class ImportModelStage implements Stage {

  @Override
  public String doc() {
    return "a network from a PyTorch state_dict in safetensors (CIFAR ResNet of RoCL/TRADES, projector, head)";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.string("file", "", "the safetensors file (absolute, or relative to the working directory)"),
        ParamSpec.string("normalization", "metadata",
            "input normalisation built into the encoder: metadata (the file's normalization_mean/std, else none),"
                + " none, or cifar10").oneOf("metadata", "none", "cifar10"));
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.MODEL;
  }

  @Override
  public List<Path> externalInputs(Params params) {
    String file = params.getString("file");
    return file.isEmpty() ? List.of() : List.of(Path.of(file).toAbsolutePath());
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    String file = params.getString("file");
    if (file.isEmpty()) {
      problems.add("param 'file': give the safetensors file to import, e.g. file: models/rocl.safetensors");
    } else if (!Files.isRegularFile(Path.of(file))) {
      problems.add("param 'file': " + Path.of(file).toAbsolutePath() + " does not exist");
    } else if (!file.endsWith(".safetensors")) {
      problems.add("param 'file': " + file + " is not a .safetensors file; convert a torch.save'd state_dict with"
          + " safetensors.torch.save_file(model.state_dict(), 'model.safetensors')");
    }
    return problems;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    Path file = Path.of(ctx.params().getString("file")).toAbsolutePath();
    SafetensorsFile.Contents contents = SafetensorsFile.read(file);
    InputNormalization normalization = switch (ctx.params().getString("normalization")) {
      case "none" -> null;
      case "cifar10" -> InputNormalization.CIFAR10;
      default -> TorchStateDict.normalizationOf(contents.metadata());
    };
    try (ComputeScope scope = ComputeScope.open("cpu", 0)) {
      Network network;
      try {
        network = TorchStateDict.load(contents.tensors(), normalization, scope.manager());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
      network.save(ctx.outputDir().resolve(StageFiles.NETWORK));
      ctx.putMetric("parameters", network.learnableScalarCount());
      ctx.putMetric("classes", network.spec().classes());
    }
  }
}
