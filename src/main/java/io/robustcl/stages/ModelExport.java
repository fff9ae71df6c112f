package io.robustcl.stages;

import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.SafetensorsFile;
import io.robustcl.ml.model.TorchStateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code pipeline export STAGE --format safetensors}: the network of a model or classifier artifact as
 * a PyTorch {@code state_dict} in safetensors ({@link TorchStateDict} gives the names).
 */
public final class ModelExport {

  private ModelExport() {}

  /**
   * @param artifactDir a committed artifact holding {@code network.bin}
   * @param out the file to write
   * @return the number of tensors written
   * @throws IllegalArgumentException when the artifact holds no network
   */
  public static int safetensors(Path artifactDir, Path out) throws IOException {
    Path file = artifactDir.resolve(StageFiles.NETWORK);
    if (Files.isRegularFile(artifactDir.resolve(ModelInput.DESCRIPTION))) {
      throw new IllegalArgumentException("artifact " + artifactDir + " holds a TorchScript classifier, not a"
          + " robustcl network; it is already a PyTorch file: use " + artifactDir.resolve(ModelInput.SCRIPTED));
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("artifact " + artifactDir + " has no " + StageFiles.NETWORK
          + "; export a pretrain, linear-eval, fine-tune or import-model stage");
    }
    try (ComputeScope scope = ComputeScope.open("cpu", 0)) {
      SafetensorsFile.Contents contents = TorchStateDict.of(Network.load(file, scope.manager()));
      SafetensorsFile.write(out, contents);
      return contents.tensors().size();
    }
  }
}
