package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
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
@Command(name = "dag", description = "Print the stage graph (of the targets, or of every stage), as text or Graphviz dot.")
final class DagCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin PipelineOptions pipeline;

  @Option(names = {"--target", "-t"}, paramLabel = "T", arity = "1..*", description = "only these targets' closure")
  List<String> targets = new ArrayList<>();

  @Option(names = "--format", paramLabel = "text|dot", description = "output format (default: ${DEFAULT-VALUE})")
  String format = "text";

  private final PipelineLoader loader;

  @Inject
  DagCommand(PipelineLoader loader) {
    this.loader = loader;
  }

  @Override
  public Integer call() {
    if (!format.equals("text") && !format.equals("dot")) {
      throw new Commands.UsageException("--format " + format + ": expected text or dot");
    }
    PipelineSpec p = loader.load(pipeline.file, pipeline.loadOptions());
    StageGraph graph = StageGraph.of(p);
    ImmutableList<String> stages = targets.isEmpty() ? graph.topologicalOrder() : graph.closure(p.targetStages(targets));
    PrintWriter out = spec.commandLine().getOut();
    if (format.equals("dot")) {
      out.println("digraph pipeline {");
      out.println("  rankdir=LR;");
      for (String name : stages) {
        out.printf("  \"%s\" [label=\"%s\\n(%s)\"];%n", name, name, p.stage(name).type());
      }
      for (String name : stages) {
        StageSpec s = p.stage(name);
        s.inputs().forEach((port, froms) -> froms.forEach(from ->
            out.printf("  \"%s\" -> \"%s\" [label=\"%s\"];%n", from, name, port)));
      }
      out.println("}");
    } else {
      for (String name : stages) {
        StageSpec s = p.stage(name);
        List<String> wires = new ArrayList<>();
        s.inputs().forEach((port, froms) -> wires.add(port + " <- " + String.join(", ", froms)));
        out.printf("%s (%s)%s%n", name, s.type(), wires.isEmpty() ? "" : "  " + String.join("; ", wires));
      }
      p.targets().forEach((t, ss) -> out.printf("target %s: %s%n", t, String.join(", ", ss)));
    }
    out.flush();
    return 0;
  }

  /** The declared targets of {@code p}, or every stage when it declares none. */
  static List<String> allTargets(PipelineSpec p) {
    return p.targets().isEmpty() ? List.copyOf(p.stages().keySet()) : List.copyOf(p.targets().keySet());
  }
}
