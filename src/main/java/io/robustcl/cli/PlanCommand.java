package io.robustcl.cli;

import com.google.common.collect.ImmutableSet;
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
    print(planner.plan(pipelineSpec, stores.open(cache.cache), new StageNameIndex(cache.cache), chosen,
        ImmutableSet.copyOf(forced)), chosen, spec.commandLine().getOut());
    return 0;
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
