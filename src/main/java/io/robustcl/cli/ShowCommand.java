package io.robustcl.cli;

import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.pipeline.exec.StageNameIndex;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pipeline show STAGE}: the manifest and metrics of the stage's last built artifact. */
@Command(name = "show", description = "Show the manifest and metrics of a stage's last built artifact.")
final class ShowCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CacheOption cache;

  @Parameters(index = "0", paramLabel = "STAGE", description = "stage name")
  String stage = "";

  private final ArtifactStores stores;

  @Inject
  ShowCommand(ArtifactStores stores) {
    this.stores = stores;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ArtifactStore store = stores.open(cache.cache);
    Optional<String> key;
    try {
      key = new StageNameIndex(cache.cache).lastKey(stage);
    } catch (IllegalArgumentException e) {
      throw new Commands.UsageException(e.getMessage());
    }
    if (key.isEmpty()) {
      throw new Commands.UsageException("stage '" + stage + "' has never been built against cache " + cache.cache);
    }
    Optional<Manifest> found = store.lookup(key.get());
    if (found.isEmpty()) {
      throw new Commands.UsageException("the last artifact of stage '" + stage + "' (" + key.get()
          + ") is no longer in cache " + cache.cache + "; run the pipeline again");
    }
    Manifest m = found.get();
    out.printf("stage     %s%n", stage);
    out.printf("key       %s%n", m.key());
    out.printf("type      %s (version %d, output %s)%n", m.stageType(), m.stageVersion(), m.outputKind());
    out.printf("ran       %s .. %s (%s) on %s%n", m.startTime(), m.endTime(),
        io.robustcl.pipeline.exec.ProgressBoard.clock(m.duration().toNanos() / 1e9), m.device());
    out.printf("versions  %s%n", m.versions());
    if (!m.execution().isEmpty()) {
      out.printf("where     %s%n", m.execution());
    }
    out.printf("content   %s (%d files, %d bytes)%n", m.contentHash(), m.files().size(), m.totalBytes());
    out.printf("dir       %s%n", store.artifactDir(m.key()));
    out.println("params");
    m.params().asMap().forEach((k, v) -> out.printf("  %s = %s%n", k, v));
    out.println("inputs");
    m.inputs().forEach((port, refs) -> refs.forEach(r ->
        out.printf("  %s <- %s  key %s  content %s%n", port, r.stageName(), r.key().substring(0, 12),
            r.contentHash().substring(0, 12))));
    out.println("files");
    m.files().forEach((path, f) -> out.printf("  %s  %d bytes  sha256 %s%n", path, f.size(), f.sha256().substring(0, 12)));
    out.println("metrics");
    m.metrics().forEach((k, v) -> out.printf("  %s = %s%n", k, v));
    out.flush();
    return 0;
  }
}
