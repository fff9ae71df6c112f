package io.robustcl.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The targets' DAG as SVG, drawn by the system's Graphviz {@code dot}; where {@code dot} is
 * missing or fails, the text form and how to install it.
 */
final class DagImage {

  static final String INSTALL_HINT = "install Graphviz for the drawn graph: apt-get install graphviz";

  /**
   * @param svg the SVG file's name in the report directory, or null when {@code dot} did not draw it
   * @param text the graph as text, one stage a line (always there)
   * @param problem why there is no SVG (with the install hint), or null
   */
  record Result(@Nullable String svg, String text, @Nullable String problem) {}

  private DagImage() {}

  static Result draw(ReportSource source, Path dir, String dotCommand) {
    String text = text(source);
    Path svg = dir.resolve("dag.svg");
    try {
      Process process = new ProcessBuilder(dotCommand, "-Tsvg", "-o", svg.toString())
          .redirectErrorStream(true).start();
      process.getOutputStream().write(dot(source).getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(null, text, "dot took over 60 s; " + INSTALL_HINT);
      }
      if (process.exitValue() != 0 || !Files.isRegularFile(svg)) {
        Files.deleteIfExists(svg);
        return new Result(null, text, "dot failed (" + new String(output, StandardCharsets.UTF_8).strip() + ")");
      }
      return new Result(svg.getFileName().toString(), text, null);
    } catch (IOException e) {
      return new Result(null, text, "no Graphviz `dot` on this machine; " + INSTALL_HINT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(null, text, "interrupted while drawing the graph");
    }
  }

  /** Graphviz source: left to right, present artifacts green, missing ones dashed grey. */
  static String dot(ReportSource source) {
    StringBuilder out = new StringBuilder("digraph pipeline {\n  rankdir=LR;\n  bgcolor=\"transparent\";\n")
        .append("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n")
        .append("  edge [color=\"#888888\"];\n");
    for (ReportStage stage : source.stages()) {
      String fill = stage.present() ? "#d8f0df" : "#f2f2f2";
      String style = stage.present() ? "rounded,filled" : "rounded,filled,dashed";
      out.append("  \"").append(quote(stage.name())).append("\" [label=\"").append(quote(stage.name())).append("\\n")
          .append(quote(stage.type())).append("\", fillcolor=\"").append(fill).append("\", style=\"").append(style)
          .append("\"];\n");
    }
    for (ReportStage stage : source.stages()) {
      for (String from : stage.upstream()) {
        out.append("  \"").append(quote(from)).append("\" -> \"").append(quote(stage.name())).append("\";\n");
      }
    }
    return out.append("}\n").toString();
  }

  /** One line per stage: {@code name (type) <- inputs}. */
  static String text(ReportSource source) {
    StringBuilder out = new StringBuilder();
    for (ReportStage stage : source.stages()) {
      out.append(stage.name()).append(" (").append(stage.type()).append(')');
      if (!stage.upstream().isEmpty()) {
        out.append(" <- ").append(String.join(", ", stage.upstream()));
      }
      out.append(stage.present() ? "" : "   [missing]").append('\n');
    }
    return out.toString();
  }

  private static String quote(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
