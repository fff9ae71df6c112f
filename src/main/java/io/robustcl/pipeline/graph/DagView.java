package io.robustcl.pipeline.graph;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph that {@code pipeline dag} draws: the chosen stages, each matrix group folded into
 * one node unless expanded (fan-out of a matrix would otherwise bury the picture, DVC #10614),
 * with one edge per producer node, reader node and port.
 */
public final class DagView {

  /**
   * A node: a stage, or a matrix group standing for {@code size} stages.
   *
   * @param types the stage types of its stages, in first-seen order
   * @param size 1 for a stage
   */
  public record Node(String name, List<String> types, int size, boolean group) {
    /** {@code eval ×11 (evaluate)} or {@code data (dataset)}. */
    public String label() {
      return name + (group ? " ×" + size : "") + " (" + String.join(", ", types) + ")";
    }
  }

  /** An edge: {@code to} reads {@code from} through {@code port}. */
  public record Edge(String from, String to, String port) {}

  private final ImmutableList<Node> nodes;
  private final ImmutableList<Edge> edges;

  private DagView(ImmutableList<Node> nodes, ImmutableList<Edge> edges) {
    this.nodes = nodes;
    this.edges = edges;
  }

  /** The view of {@code stages} (in the order to draw them) of {@code spec}. */
  public static DagView of(PipelineSpec spec, List<String> stages, boolean expand) {
    Map<String, String> nodeOf = new HashMap<>();
    if (!expand) {
      spec.groups().forEach((group, members) -> members.forEach(m -> nodeOf.put(m, group)));
    }
    Map<String, Set<String>> types = new LinkedHashMap<>();
    Map<String, Integer> sizes = new HashMap<>();
    Set<Edge> edges = new LinkedHashSet<>();
    Set<String> chosen = new java.util.HashSet<>(stages);
    for (String name : stages) {
      String node = nodeOf.getOrDefault(name, name);
      StageSpec stage = spec.stage(name);
      types.computeIfAbsent(node, k -> new LinkedHashSet<>()).add(stage.type());
      sizes.merge(node, 1, Integer::sum);
      stage.inputs().forEach((port, producers) -> producers.forEach(producer -> {
        String from = nodeOf.getOrDefault(producer, producer);
        if (chosen.contains(producer) && !from.equals(node)) {
          edges.add(new Edge(from, node, port));
        }
      }));
    }
    ImmutableList.Builder<Node> nodes = ImmutableList.builder();
    types.forEach((name, t) -> nodes.add(new Node(name, List.copyOf(t), sizes.get(name), spec.groups().containsKey(name)
        && !expand)));
    return new DagView(nodes.build(), ImmutableList.copyOf(edges));
  }

  public ImmutableList<Node> nodes() {
    return nodes;
  }

  public ImmutableList<Edge> edges() {
    return edges;
  }

  /** One line per node: {@code eval ×11 (evaluate)  model <- le, pretrain-supervised; data <- data}. */
  public List<String> text() {
    Map<String, Map<String, List<String>>> wires = new LinkedHashMap<>();
    for (Edge e : edges) {
      wires.computeIfAbsent(e.to(), k -> new LinkedHashMap<>()).computeIfAbsent(e.port(), k -> new ArrayList<>()).add(e.from());
    }
    List<String> out = new ArrayList<>();
    for (Node node : nodes) {
      List<String> parts = new ArrayList<>();
      wires.getOrDefault(node.name(), Map.of()).forEach((port, froms) -> parts.add(port + " <- " + String.join(", ", froms)));
      out.add(node.label() + (parts.isEmpty() ? "" : "  " + String.join("; ", parts)));
    }
    return out;
  }

  /** Graphviz dot; a group is drawn as a 3-D box. */
  public List<String> dot() {
    List<String> out = new ArrayList<>();
    out.add("digraph pipeline {");
    out.add("  rankdir=LR;");
    for (Node node : nodes) {
      out.add("  \"" + node.name() + "\" [label=\"" + dotText(node.name() + (node.group() ? " ×" + node.size() : ""))
          + "\\n(" + dotText(String.join(", ", node.types())) + ")\"" + (node.group() ? ", shape=box3d" : "") + "];");
    }
    for (Edge e : edges) {
      out.add("  \"" + e.from() + "\" -> \"" + e.to() + "\" [label=\"" + dotText(e.port()) + "\"];");
    }
    out.add("}");
    return out;
  }

  /** A Mermaid flowchart (renders on GitHub and GitLab); a group is drawn as a subroutine box. */
  public List<String> mermaid() {
    List<String> out = new ArrayList<>();
    out.add("flowchart LR");
    Map<String, String> ids = new HashMap<>();
    for (Node node : nodes) {
      String id = "n" + ids.size();
      ids.put(node.name(), id);
      String text = "\"" + mermaidText(node.name() + (node.group() ? " ×" + node.size() : "")) + "<br/>("
          + mermaidText(String.join(", ", node.types())) + ")\"";
      out.add("  " + id + (node.group() ? "[[" + text + "]]" : "[" + text + "]"));
    }
    for (Edge e : edges) {
      out.add("  " + ids.get(e.from()) + " -->|" + mermaidText(e.port()) + "| " + ids.get(e.to()));
    }
    return out;
  }

  private static String dotText(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String mermaidText(String s) {
    return s.replace("\"", "#quot;").replace("|", "#124;");
  }
}
