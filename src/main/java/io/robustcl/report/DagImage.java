package io.robustcl.report;

import java.io.IOException;
import io.robustcl.pipeline.graph.DagView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The targets' DAG as SVG, drawn by the system's Graphviz {@code dot} from the graph
 * {@code pipeline dag} prints ({@link DagView}); where {@code dot} is missing or fails, that
 * graph's text form and how to install it.
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

  /**
   * Graphviz source: {@code pipeline dag}'s graph ({@link DagView#dot(DagView.DotStyle)}), a node green when the
   * cache has all its stages, amber when some, dashed grey when none.
   */
  static String dot(ReportSource source) {
    Set<String> present = presentStages(source);
    DagView.DotStyle style = new DagView.DotStyle(List.of("bgcolor=\"transparent\";",
        "node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];",
        "edge [color=\"#888888\", fontname=\"Helvetica\", fontsize=9, fontcolor=\"#666666\"];"),
        node -> switch (presence(node, present)) {
          case ALL -> "fillcolor=\"#d8f0df\", style=\"rounded,filled\"";
          case SOME -> "fillcolor=\"#fbe7c6\", style=\"rounded,filled,dashed\"";
          case NONE -> "fillcolor=\"#f2f2f2\", style=\"rounded,filled,dashed\"";
        });
    return String.join("\n", source.dag().dot(style)) + "\n";
  }

  /** {@code pipeline dag}'s text form, each node not wholly in the cache marked. */
  static String text(ReportSource source) {
    Set<String> present = presentStages(source);
    List<DagView.Node> nodes = source.dag().nodes();
    List<String> lines = source.dag().text();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      out.append(lines.get(i)).append(switch (presence(nodes.get(i), present)) {
        case ALL -> "";
        case SOME -> "   [partly missing]";
        case NONE -> "   [missing]";
      }).append('\n');
    }
    return out.toString();
  }

  private enum Presence { ALL, SOME, NONE }

  private static Presence presence(DagView.Node node, Set<String> present) {
    long have = node.members().stream().filter(present::contains).count();
    return have == node.size() ? Presence.ALL : have == 0 ? Presence.NONE : Presence.SOME;
  }

  private static Set<String> presentStages(ReportSource source) {
    Set<String> out = new HashSet<>();
    source.stages().stream().filter(ReportStage::present).forEach(s -> out.add(s.name()));
    return out;
  }
}
