package io.robustcl.cli;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Stage;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline stages}: every bound stage type with its params and input ports. */
@Command(name = "stages", description = "List the stage types with their params (type, default, doc) and input ports.")
final class StagesCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;

  private final Map<String, Stage> stages;

  @Inject
  StagesCommand(Map<String, Stage> stages) {
    this.stages = stages;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    new TreeMap<>(stages).forEach((name, stage) -> {
      out.printf("%s  (version %d, output %s)%n", name, stage.version(), stage.outputKind());
      if (!stage.doc().isEmpty()) {
        out.printf("    %s%n", stage.doc());
      }
      for (InputPort port : stage.inputs()) {
        out.printf("    input  %-14s %s%s%s  %s%n", port.name(), port.list() ? "list of " : "",
            port.kinds().isEmpty() ? "any" : String.join("|", port.kinds()), port.required() ? "" : ", optional",
            port.doc());
      }
      for (ParamSpec p : stage.params()) {
        StringBuilder range = new StringBuilder();
        if (!p.choices().isEmpty()) {
          range.append(" one of ").append(String.join("|", p.choices()));
        }
        if (p.min() != null) {
          range.append(" >= ").append(shown(p.min()));
        }
        if (p.max() != null) {
          range.append(" <= ").append(shown(p.max()));
        }
        out.printf("    param  %-14s %s%s = %s  %s%n", p.name(), p.type().displayName(), range,
            p.required() ? "(required)" : shown(p.defaultValue()), p.doc());
      }
      out.println();
    });
    out.flush();
    return 0;
  }

  private static String shown(@org.jspecify.annotations.Nullable Object value) {
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(value);
  }
}
