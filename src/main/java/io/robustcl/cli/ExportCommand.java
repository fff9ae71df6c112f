package io.robustcl.cli;

import io.robustcl.pipeline.WorkingDirectory;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.stages.ModelExport;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pipeline export STAGE --format safetensors}: the stage's last network as a PyTorch state_dict. */
@Command(name = "export", description = "Write the network of a stage's last artifact as a PyTorch state_dict (safetensors).")
final class ExportCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CacheOption cache;

  @Parameters(index = "0", paramLabel = "STAGE", description = "stage name (pretrain, linear-eval, fine-tune, import-model)")
  String stage = "";

  @Option(names = "--format", paramLabel = "FORMAT", description = "output format: safetensors (default)")
  String format = "safetensors";

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "output file (default: STAGE.safetensors)")
  Path out;

  private final ArtifactStores stores;
  private final WorkingDirectory workDir;

  @Inject
  ExportCommand(ArtifactStores stores, WorkingDirectory workDir) {
    this.stores = stores;
    this.workDir = workDir;
  }

  @Override
  public Integer call() throws Exception {
    if (!format.equals("safetensors")) {
      throw new Commands.UsageException("--format " + format + " is not supported; use --format safetensors");
    }
    ArtifactStore store = stores.open(cache.dir());
    Manifest m = LastBuild.of(store, cache.dir(), stage);
    Path target = out != null ? out : workDir.resolve(stage + ".safetensors");
    int tensors;
    try {
      tensors = ModelExport.safetensors(store.artifactDir(m.key()), target);
    } catch (IllegalArgumentException e) {
      throw new Commands.UsageException("stage '" + stage + "': " + e.getMessage());
    }
    PrintWriter writer = spec.commandLine().getOut();
    writer.printf("wrote %s (%d tensors, PyTorch state_dict names of the CIFAR ResNet)%n", target, tensors);
    writer.flush();
    return 0;
  }
}
