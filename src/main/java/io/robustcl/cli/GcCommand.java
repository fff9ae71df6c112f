package io.robustcl.cli;

import com.google.common.collect.ImmutableSet;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.GcReport;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.pipeline.exec.PlanEntry;
import io.robustcl.pipeline.exec.Planner;
import io.robustcl.pipeline.exec.StageNameIndex;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline gc FILE [--dry-run]}: remove artifacts that no target of the file reaches. */
@Command(name = "gc", description = "Remove cached artifacts that no target of the pipeline file reaches (with the given profile and --set).")
final class GcCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin PipelineOptions pipeline;
  @Mixin CacheOption cache;

  @Option(names = {"--target", "-t"}, paramLabel = "T", arity = "1..*",
      description = "keep only what these targets reach (default: every declared target)")
  List<String> targets = new ArrayList<>();

  @Option(names = "--dry-run", description = "list what would be removed; remove nothing")
  boolean dryRun;

  private final PipelineLoader loader;
  private final Planner planner;
  private final ArtifactStores stores;

  @Inject
  GcCommand(PipelineLoader loader, Planner planner, ArtifactStores stores) {
    this.loader = loader;
    this.planner = planner;
    this.stores = stores;
  }

  @Override
  public Integer call() {
    PipelineSpec p = loader.load(pipeline.file, pipeline.loadOptions());
    ArtifactStore store = stores.open(cache.cache);
    List<String> chosen = targets.isEmpty() ? DagCommand.allTargets(p) : targets;
    Set<String> live = new java.util.HashSet<>();
    for (PlanEntry e : planner.plan(p, store, new StageNameIndex(cache.cache), chosen, ImmutableSet.of())) {
      if (e.key() != null) {
        live.add(e.key());
      }
    }
    GcReport report = store.gc(live, dryRun);
    PrintWriter out = spec.commandLine().getOut();
    String verb = dryRun ? "would remove" : "removed";
    for (GcReport.Entry e : report.entries()) {
      out.printf("%s %s %s (%d bytes)%n", verb, e.kind().name().toLowerCase(), e.name(), e.bytes());
    }
    report.busy().forEach(k -> out.printf("kept %s (locked by a running process)%n", k));
    out.printf("gc: %s %d entries, %d bytes; kept %d live artifacts%n", verb, report.entries().size(),
        report.totalBytes(), live.size());
    out.flush();
    return 0;
  }
}
