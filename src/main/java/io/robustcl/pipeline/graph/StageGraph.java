package io.robustcl.pipeline.graph;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.robustcl.pipeline.config.DependencyOrder;
import io.robustcl.pipeline.config.PipelineSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The dependency DAG of a pipeline: which stage reads from which. Immutable; orders are
 * deterministic (topological, ties broken by the order stages were declared).
 */
public final class StageGraph {

  private final ImmutableMap<String, ImmutableList<String>> dependencies;
  private final ImmutableMap<String, ImmutableList<String>> dependants;
  private final ImmutableList<String> order;
  private final ImmutableMap<String, Integer> position;

  private StageGraph(ImmutableMap<String, ImmutableList<String>> dependencies, ImmutableList<String> order) {
    this.dependencies = dependencies;
    this.order = order;
    Map<String, List<String>> readers = new LinkedHashMap<>();
    dependencies.keySet().forEach(name -> readers.put(name, new ArrayList<>()));
    dependencies.forEach((reader, inputs) -> inputs.forEach(input -> readers.get(input).add(reader)));
    ImmutableMap.Builder<String, ImmutableList<String>> dependantsBuilder = ImmutableMap.builder();
    readers.forEach((name, list) -> dependantsBuilder.put(name, ImmutableList.copyOf(list)));
    this.dependants = dependantsBuilder.buildOrThrow();
    ImmutableMap.Builder<String, Integer> positions = ImmutableMap.builder();
    for (int i = 0; i < order.size(); i++) {
      positions.put(order.get(i), i);
    }
    this.position = positions.buildOrThrow();
  }

  /** The graph of a validated pipeline. */
  public static StageGraph of(PipelineSpec spec) {
    ImmutableMap.Builder<String, ImmutableList<String>> deps = ImmutableMap.builder();
    spec.stages().forEach((name, stage) -> deps.put(name, stage.upstream()));
    return of(deps.buildOrThrow());
  }

  /**
   * A graph from stage -> the stages it reads from; the map's iteration order is the
   * declaration order that breaks ties.
   *
   * @throws IllegalArgumentException if a dependency is not a key of the map, or there is a
   *     cycle (the message prints it as {@code a -> b -> a})
   */
  public static StageGraph of(Map<String, ? extends Collection<String>> dependencies) {
    ImmutableMap.Builder<String, ImmutableList<String>> copy = ImmutableMap.builder();
    dependencies.forEach((name, inputs) -> {
      for (String input : inputs) {
        if (!dependencies.containsKey(input)) {
          throw new IllegalArgumentException("stage '" + name + "' reads from unknown stage '" + input + "'");
        }
      }
      copy.put(name, inputs.stream().distinct().collect(ImmutableList.toImmutableList()));
    });
    ImmutableMap<String, ImmutableList<String>> deps = copy.buildOrThrow();
    // one walk: the topological order throws "dependency cycle: a -> b -> a" itself
    return new StageGraph(deps, topologicalOrder(deps));
  }

  /**
   * A dependency cycle of {@code dependencies}, if any; see {@link DependencyOrder#findCycle}.
   */
  public static Optional<ImmutableList<String>> findCycle(Map<String, ? extends Collection<String>> dependencies) {
    return DependencyOrder.findCycle(dependencies);
  }

  private static ImmutableList<String> topologicalOrder(ImmutableMap<String, ImmutableList<String>> deps) {
    return DependencyOrder.topologicalOrder(deps);
  }

  /** All stages in topological order (inputs before readers). */
  public ImmutableList<String> topologicalOrder() {
    return order;
  }

  /**
   * {@code stages} and everything they transitively read from, in topological order.
   *
   * @throws IllegalArgumentException if a name is not a stage of the graph
   */
  public ImmutableList<String> closure(Collection<String> stages) {
    Set<String> needed = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (String stage : stages) {
      check(stage);
      todo.add(stage);
    }
    while (!todo.isEmpty()) {
      String stage = todo.removeFirst();
      if (needed.add(stage)) {
        todo.addAll(dependencies.get(stage));
      }
    }
    return inOrder(needed);
  }

  /** The stages {@code stage} reads from directly, in port order. */
  public ImmutableList<String> dependencies(String stage) {
    check(stage);
    return dependencies.get(stage);
  }

  /** The stages that read from {@code stage} directly, in declaration order. */
  public ImmutableList<String> dependants(String stage) {
    check(stage);
    return dependants.get(stage);
  }

  /** Every stage that transitively reads from {@code stage} (not itself), in topological order. */
  public ImmutableList<String> downstream(String stage) {
    check(stage);
    Set<String> found = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(dependants.get(stage));
    while (!todo.isEmpty()) {
      String next = todo.removeFirst();
      if (found.add(next)) {
        todo.addAll(dependants.get(next));
      }
    }
    return inOrder(found);
  }

  /** The stage names, in declaration order. */
  public ImmutableSet<String> stages() {
    return dependencies.keySet();
  }

  private ImmutableList<String> inOrder(Set<String> names) {
    Map<Integer, String> byPosition = new HashMap<>();
    names.forEach(name -> byPosition.put(position.get(name), name));
    return byPosition.keySet().stream().sorted().map(byPosition::get).collect(ImmutableList.toImmutableList());
  }

  private void check(String stage) {
    if (!dependencies.containsKey(stage)) {
      throw new IllegalArgumentException("no stage '" + stage + "'; stages are " + dependencies.keySet());
    }
  }
}
