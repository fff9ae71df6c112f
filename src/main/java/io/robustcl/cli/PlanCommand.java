package io.robustcl.cli;

import com.google.common.collect.ImmutableSet;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.ParamSource;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import io.robustcl.pipeline.graph.KeyEncoder;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.pipeline.exec.PlanEntry;
import io.robustcl.pipeline.exec.Planner;
import io.robustcl.pipeline.exec.StageNameIndex;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline plan FILE --target T...} (alias {@code status}): what would run and why. */
@Command(name = "plan", aliases = "status", description = "Show what `run` would do for the targets, and why.")
final class PlanCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin PipelineOptions pipeline;
  @Mixin CacheOption cache;

  @Option(names = {"--target", "-t"}, paramLabel = "T", arity = "1..*",
      description = "target or stage name (repeatable; default: every declared target)")
  List<String> targets = new ArrayList<>();

  @Option(names = "--force", paramLabel = "STAGE", description = "plan STAGE as forced (repeatable)")
  List<String> forced = new ArrayList<>();

  @Option(names = "--explain", description = "also print each stage's params and where each value came from")
  boolean explain;

  private final PipelineLoader loader;
  private final Planner planner;
  private final ArtifactStores stores;

  @Inject
  PlanCommand(PipelineLoader loader, Planner planner, ArtifactStores stores) {
    this.loader = loader;
    this.planner = planner;
    this.stores = stores;
  }

  @Override
  public Integer call() {
    PipelineSpec pipelineSpec = loader.load(pipeline.file, pipeline.loadOptions());
    List<String> chosen = targets.isEmpty() ? DagCommand.allTargets(pipelineSpec) : targets;
    List<PlanEntry> plan = planner.plan(pipelineSpec, stores.open(cache.cache), new StageNameIndex(cache.cache), chosen,
        ImmutableSet.copyOf(forced));
    print(plan, chosen, spec.commandLine().getOut());
    if (explain) {
      explain(pipelineSpec, plan, spec.commandLine().getOut());
    }
    return 0;
  }

  /** Every param of every planned stage: {@code name = value  (origin file:line:column)}. */
  private static void explain(PipelineSpec pipelineSpec, List<PlanEntry> plan, PrintWriter out) {
    KeyEncoder encoder = new KeyEncoder();
    for (PlanEntry entry : plan) {
      StageSpec stage = pipelineSpec.stage(entry.stageName());
      out.printf("%s (%s)%n", stage.name(), stage.type());
      int width = stage.params().asMap().keySet().stream().mapToInt(String::length).max().orElse(0);
      stage.params().asMap().forEach((name, value) -> {
        ParamSource source = stage.paramSources().get(name);
        out.printf("  %-" + width + "s = %s  (%s)%n", name, encoder.canonicalValue(value),
            source == null ? "unknown" : source);
      });
    }
    out.flush();
  }

  static void print(List<PlanEntry> plan, List<String> targets, PrintWriter out) {
    long run = plan.stream().filter(PlanEntry::willRun).count();
    out.printf("plan for %s: %d stages, %d cached, %d to run%n",
        String.join(", ", targets), plan.size(), plan.size() - run, run);
    int width = plan.stream().mapToInt(e -> e.stageName().length()).max().orElse(0);
    for (PlanEntry e : plan) {
      String name = String.format("%-" + width + "s", e.stageName());
      if (e.willRun()) {
        out.printf("  run     %s  %s%n", name, String.join("; ", e.reasons()));
      } else {
        out.printf("  cached  %s  %s%n", name, e.key() == null ? "" : e.key().substring(0, 12));
      }
    }
    out.flush();
  }
}
