package io.robustcl.cli;

import io.robustcl.pipeline.WorkingDirectory;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.pipeline.exec.Planner;
import io.robustcl.report.HostFacts;
import io.robustcl.report.HtmlReport;
import io.robustcl.report.ReportSource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pipeline report FILE --target T... [--profile P] [--out DIR]}: the HTML report of
 * the targets, from the cache alone (nothing runs; a missing artifact is named with the
 * command that builds it).
 */
@Command(name = "report", description = "Write an offline HTML report of the targets (tables, claims, plots, provenance, DAG) from the cache.")
final class ReportCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin PipelineOptions pipeline;
  @Mixin CacheOption cache;

  @Option(names = {"--target", "-t"}, required = true, paramLabel = "T", arity = "1..*",
      description = "target or stage name to report on (repeatable)")
  List<String> targets = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/report", description = "where the site is written (default: ${DEFAULT-VALUE})")
  Path out;

  private final PipelineLoader loader;
  private final Planner planner;
  private final ArtifactStores stores;
  private final WorkingDirectory workDir;

  @Inject
  ReportCommand(PipelineLoader loader, Planner planner, ArtifactStores stores, WorkingDirectory workDir) {
    this.workDir = workDir;
    this.loader = loader;
    this.planner = planner;
    this.stores = stores;
  }

  @Override
  public Integer call() throws IOException {
    PipelineSpec pipelineSpec = loader.load(pipeline.file, pipeline.loadOptions());
    ReportSource source = Reports.source(pipelineSpec, planner, stores.open(cache.dir()), cache.dir(), targets, Map.of(),
        Reports.buildCommand(pipeline, cache.dir(), targets, workDir));
    Path index = new HtmlReport("dot", HostFacts.ofThisMachine()).write(source, out);
    PrintWriter w = spec.commandLine().getOut();
    long missing = source.stages().stream().filter(s -> !s.present()).count();
    if (missing > 0) {
      w.println(missing + " of " + source.stages().size() + " stages are not in the cache; the report names them."
          + " Build them with: " + source.buildCommand());
    }
    w.println("report: " + index);
    w.flush();
    return 0;
  }
}
