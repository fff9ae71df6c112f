package io.robustcl.stages;

import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.InputNormalization;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.ResNetSpec;
import io.robustcl.ml.model.SafetensorsFile;
import io.robustcl.ml.model.ScriptedClassifier;
import io.robustcl.ml.model.TorchStateDict;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import io.robustcl.pipeline.WorkingDirectory;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage type {@code import-model}: a network trained elsewhere, read from either
 * <ul>
 *   <li>a safetensors file holding the PyTorch {@code state_dict} of the CIFAR ResNet of RoCL's and
 *       TRADES' public code (names and mapping: {@link TorchStateDict}), optionally with RoCL's projector
 *       and a linear head; the architecture is read off the tensors and the artifact is a
 *       {@code network.bin} like a pre-training's, which every stage taking a model accepts; or</li>
 *   <li>a TorchScript file ({@code torch.jit.save}), kept as it is ({@code model.pt} and its
 *       {@code model.json}, see {@link ModelInput}): an opaque classifier from pixels in [0,1] to logits,
 *       which {@code evaluate} (standard inference), {@code black-box} and {@code attack} (method pgd)
 *       take, with gradients through it for the white-box attacks. Stages that need robustcl's own
 *       network (linear-eval, fine-tune, transfer, feature averaging) say so and ask for safetensors.</li>
 * </ul>
 */
public final class ImportModelStage implements Stage {

  /** Resolves a relative {@code file} param: the command's directory, not the JVM's (see {@link WorkingDirectory}). */
  private final WorkingDirectory workDir;

  @Inject
  ImportModelStage(WorkingDirectory workDir) {
    this.workDir = workDir;
  }

  /** A stage resolving relative paths against the JVM's working directory. */
  public ImportModelStage() {
    this(new WorkingDirectory());
  }

  @Override
  public String doc() {
    return "a network from PyTorch: a state_dict in safetensors (CIFAR ResNet of RoCL/TRADES, projector, head),"
        + " or a TorchScript classifier (torch.jit.save)";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.string("file", "", "the .safetensors state_dict, or the TorchScript .pt file (absolute, or"
            + " relative to the working directory)"),
        ParamSpec.string("normalization", "metadata",
            "safetensors: input normalisation built into the encoder: metadata (the file's"
                + " normalization_mean/std, else none), none, or cifar10; TorchScript modules take pixels in [0,1]"
                + " and normalise inside their forward").oneOf("metadata", "none", "cifar10"),
        ParamSpec.integer("image_size", 32, "TorchScript: the side of the 3 x size x size images the module is"
            + " checked on at import (its logits give the number of classes)").atLeast(1));
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.MODEL;
  }

  @Override
  public List<Path> externalInputs(Params params) {
    String file = params.getString("file");
    return file.isEmpty() ? List.of() : List.of(workDir.resolve(file));
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    String file = params.getString("file");
    if (file.isEmpty()) {
      problems.add("param 'file': give the safetensors file to import, e.g. file: models/rocl.safetensors");
    } else if (!Files.isRegularFile(workDir.resolve(file))) {
      problems.add("param 'file': " + workDir.resolve(file) + " does not exist");
    } else if (!file.endsWith(".safetensors") && !torchScript(file)) {
      problems.add("param 'file': " + file + " is neither .safetensors nor a TorchScript .pt; convert a"
          + " torch.save'd state_dict with safetensors.torch.save_file(model.state_dict(), 'model.safetensors'),"
          + " or script the model with torch.jit.save(torch.jit.script(model), 'model.pt')");
    } else if (torchScript(file) && params.getString("normalization").equals("cifar10")) {
      problems.add("param 'normalization': cifar10 applies to safetensors imports only; a TorchScript module"
          + " takes pixels in [0,1], so put its normalisation inside its forward before scripting it");
    }
    return problems;
  }

  private static boolean torchScript(String file) {
    return file.endsWith(".pt") || file.endsWith(".pth");
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    Path file = workDir.resolve(ctx.params().getString("file"));
    if (torchScript(file.toString())) {
      importTorchScript(ctx, file);
      return;
    }
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

  /**
   * Keeps the TorchScript file as the artifact's {@code model.pt} after checking, on one zero image of
   * {@code image_size}, that PyTorch loads it and that its forward returns logits.
   */
  private static void importTorchScript(StageContext ctx, Path file) throws Exception {
    int size = ctx.params().getInt("image_size");
    try (ComputeScope scope = ComputeScope.open("cpu", 0)) {
      ScriptedClassifier scripted = ScriptedClassifier.load(file, scope.manager());
      long classes;
      try {
        classes = scripted.logits(scope.manager().zeros(new Shape(1, ResNetSpec.CHANNELS, size, size))).getShape().get(1);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("param 'image_size' (" + size + "): " + e.getMessage(), e);
      }
      if (classes < 2) {
        throw new IllegalArgumentException("TorchScript file " + file + ": forward gives " + classes
            + " logit per image; import-model takes classifiers with >= 2 classes");
      }
      Files.copy(file, ctx.outputDir().resolve(ModelInput.SCRIPTED), StandardCopyOption.REPLACE_EXISTING);
      ModelInput.describe(ctx.outputDir(), new ModelInput.Description(ModelInput.TORCHSCRIPT, ModelInput.SCRIPTED,
          Math.toIntExact(classes), List.of(ResNetSpec.CHANNELS, size, size), List.of(0.0, 1.0), scripted.methods(),
          file.toString()));
      ctx.putMetric("classes", classes);
    }
  }
}
