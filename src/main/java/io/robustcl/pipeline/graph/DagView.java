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
import java.util.function.Function;

/**
 * The graph that {@code pipeline dag} and the report draw: the chosen stages, each matrix group
 * folded into one node unless expanded (fan-out of a matrix would otherwise bury the picture,
 * DVC #10614), with one edge per producer node, reader node and port; as text, Graphviz dot
 * (in a {@link DotStyle}) or Mermaid.
 */
public final class DagView {

  /**
   * A node: a stage, or a matrix group standing for its member stages.
   *
   * @param types the stage types of its stages, in first-seen order
   * @param members the stages it stands for (the stage itself for a stage)
   */
  public record Node(String name, List<String> types, List<String> members, boolean group) {
    public Node {
      types = List.copyOf(types);
      members = List.copyOf(members);
    }

    /** How many stages it stands for: 1 for a stage. */
    public int size() {
      return members.size();
    }

    /** {@code eval ×11 (evaluate)} or {@code data (dataset)}. */
    public String label() {
      return name + (group ? " ×" + size() : "") + " (" + String.join(", ", types) + ")";
    }
  }

  /** An edge: {@code to} reads {@code from} through {@code port} ({@code ""}: a port not named). */
  public record Edge(String from, String to, String port) {}

  /**
   * How {@link #dot(DotStyle)} draws beyond the graph's structure.
   *
   * @param preamble statements after {@code rankdir=LR;}, e.g. {@code node [fontname="Helvetica"];}
   * @param nodeAttributes extra attributes of a node's statement, e.g. {@code fillcolor="#d8f0df"}, or {@code ""}
   */
  public record DotStyle(List<String> preamble, Function<Node, String> nodeAttributes) {
    /** Graphviz's defaults: the {@code dag} command's drawing. */
    public static final DotStyle PLAIN = new DotStyle(List.of(), node -> "");

    public DotStyle {
      preamble = List.copyOf(preamble);
    }
  }

  private final ImmutableList<Node> nodes;
  private final ImmutableList<Edge> edges;

  private DagView(ImmutableList<Node> nodes, ImmutableList<Edge> edges) {
    this.nodes = nodes;
    this.edges = edges;
  }

  /** The view of {@code stages} (in the order to draw them) of {@code spec}. */
  public static DagView of(PipelineSpec spec, List<String> stages, boolean expand) {
    Set<String> chosen = new java.util.HashSet<>(stages);
    Map<String, String> nodeOf = new HashMap<>();
    if (!expand) {
      spec.groups().forEach((group, all) -> {
        // a group with one stage in view is drawn as that stage: "group ×1" would hide which one it is
        List<String> inView = all.stream().filter(chosen::contains).toList();
        if (inView.size() > 1) {
          inView.forEach(m -> nodeOf.put(m, group));
        }
      });
    }
    Map<String, Set<String>> types = new LinkedHashMap<>();
    Map<String, List<String>> members = new HashMap<>();
    Set<Edge> edges = new LinkedHashSet<>();
    for (String name : stages) {
      String node = nodeOf.getOrDefault(name, name);
      StageSpec stage = spec.stage(name);
      types.computeIfAbsent(node, k -> new LinkedHashSet<>()).add(stage.type());
      members.computeIfAbsent(node, k -> new ArrayList<>()).add(name);
      stage.inputs().forEach((port, producers) -> producers.forEach(producer -> {
        String from = nodeOf.getOrDefault(producer, producer);
        if (chosen.contains(producer) && !from.equals(node)) {
          edges.add(new Edge(from, node, port));
        }
      }));
    }
    ImmutableList.Builder<Node> nodes = ImmutableList.builder();
    types.forEach((name, t) -> nodes.add(new Node(name, List.copyOf(t), members.get(name),
        spec.groups().containsKey(name))));
    return new DagView(nodes.build(), ImmutableList.copyOf(edges));
  }

  /** A view of given nodes and edges (in the order to draw them), e.g. a report's stages without a pipeline file. */
  public static DagView of(List<Node> nodes, List<Edge> edges) {
    return new DagView(ImmutableList.copyOf(nodes), ImmutableList.copyOf(new LinkedHashSet<>(edges)));
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
      wires.getOrDefault(node.name(), Map.of()).forEach((port, froms) -> parts.add((port.isEmpty() ? "" : port + " ")
          + "<- " + String.join(", ", froms)));
      out.add(node.label() + (parts.isEmpty() ? "" : "  " + String.join("; ", parts)));
    }
    return out;
  }

  /** Graphviz dot in Graphviz's default look; a group is drawn as a 3-D box. */
  public List<String> dot() {
    return dot(DotStyle.PLAIN);
  }

  /** Graphviz dot drawn in {@code style}; a group is drawn as a 3-D box, an edge labelled with its port. */
  public List<String> dot(DotStyle style) {
    List<String> out = new ArrayList<>();
    out.add("digraph pipeline {");
    out.add("  rankdir=LR;");
    style.preamble().forEach(line -> out.add("  " + line));
    for (Node node : nodes) {
      String extra = style.nodeAttributes().apply(node);
      out.add("  \"" + dotText(node.name()) + "\" [label=\"" + dotText(node.name() + (node.group() ? " ×" + node.size()
          : "")) + "\\n(" + dotText(String.join(", ", node.types())) + ")\"" + (node.group() ? ", shape=box3d" : "")
          + (extra.isEmpty() ? "" : ", " + extra) + "];");
    }
    for (Edge e : edges) {
      out.add("  \"" + dotText(e.from()) + "\" -> \"" + dotText(e.to()) + "\""
          + (e.port().isEmpty() ? "" : " [label=\"" + dotText(e.port()) + "\"]") + ";");
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
      out.add("  " + ids.get(e.from()) + (e.port().isEmpty() ? " --> " : " -->|" + mermaidText(e.port()) + "| ")
          + ids.get(e.to()));
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
