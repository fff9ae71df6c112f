package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.graph.DagView;
import io.robustcl.pipeline.graph.StageGraph;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline dag FILE [--target T...] [--format text|dot]}: the dependency graph. */
@Command(name = "dag", description = "Print the stage graph (of the targets, or of every stage) as text, Graphviz dot or Mermaid; "
    + "a matrix group is one node unless --expand.")
final class DagCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin PipelineOptions pipeline;

  @Option(names = {"--target", "-t"}, paramLabel = "T", arity = "1..*", description = "only these targets' closure")
  List<String> targets = new ArrayList<>();

  @Option(names = "--format", paramLabel = "text|dot|mermaid", description = "output format (default: ${DEFAULT-VALUE})")
  String format = "text";

  @Option(names = "--expand", description = "draw every stage of a matrix group (default: one node per group)")
  boolean expand;

  private final PipelineLoader loader;

  @Inject
  DagCommand(PipelineLoader loader) {
    this.loader = loader;
  }

  @Override
  public Integer call() {
    if (!format.equals("text") && !format.equals("dot") && !format.equals("mermaid")) {
      throw new Commands.UsageException("--format " + format + ": expected text, dot or mermaid");
    }
    PipelineSpec p = loader.load(pipeline.file, pipeline.loadOptions());
    StageGraph graph = StageGraph.of(p);
    ImmutableList<String> stages = targets.isEmpty() ? graph.topologicalOrder() : graph.closure(p.targetStages(targets));
    DagView view = DagView.of(p, stages, expand);
    PrintWriter out = spec.commandLine().getOut();
    switch (format) {
      case "dot" -> view.dot().forEach(out::println);
      case "mermaid" -> view.mermaid().forEach(out::println);
      default -> {
        view.text().forEach(out::println);
        p.targets().forEach((t, ss) -> out.printf("target %s: %s%n", t, String.join(", ", ss)));
      }
    }
    out.flush();
    return 0;
  }

  /** The declared targets of {@code p}, or every stage when it declares none. */
  static List<String> allTargets(PipelineSpec p) {
    return p.targets().isEmpty() ? List.copyOf(p.stages().keySet()) : List.copyOf(p.targets().keySet());
  }
}
