package io.robustcl.pipeline.graph;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.robustcl.pipeline.config.PipelineSpec;
import java.util.Collection;
import java.util.List;

/**
 * The dependency DAG of a pipeline: which stage reads from which. Immutable; orders are
 * deterministic (topological, ties broken by the order stages were declared).
 */
public final class StageGraph {

  private final ImmutableMap<String, ImmutableList<String>> dependencies;

  private StageGraph(ImmutableMap<String, ImmutableList<String>> dependencies) {
    this.dependencies = dependencies;
  }

  /** The graph of a validated pipeline. */
  public static StageGraph of(PipelineSpec spec) {
    ImmutableMap.Builder<String, ImmutableList<String>> deps = ImmutableMap.builder();
    spec.stages().forEach((name, stage) -> deps.put(name, stage.upstream()));
    return of(deps.buildOrThrow());
  }

  /**
   * A graph from stage -> the stages it reads from, in declaration order.
   *
   * @throws IllegalArgumentException if a dependency is not a stage of the map, or there is a cycle
   */
  public static StageGraph of(java.util.Map<String, ? extends List<String>> dependencies) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** All stages in topological order (inputs before readers). */
  public ImmutableList<String> topologicalOrder() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** {@code stages} and everything they transitively read from, in topological order. */
  public ImmutableList<String> closure(Collection<String> stages) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** The stages {@code stage} reads from directly. */
  public ImmutableList<String> dependencies(String stage) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** The stages that read from {@code stage} directly, in declaration order. */
  public ImmutableList<String> dependants(String stage) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Every stage that transitively reads from {@code stage}, in topological order. */
  public ImmutableList<String> downstream(String stage) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** The stage names, in declaration order. */
  public ImmutableSet<String> stages() {
    return dependencies.keySet();
  }
}
