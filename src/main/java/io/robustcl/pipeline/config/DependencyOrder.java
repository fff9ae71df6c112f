package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Orders stages by their dependencies (stage -> stages it reads from): the one depth-first walk
 * behind the loader's cycle error and {@code StageGraph}'s topological order.
 */
public final class DependencyOrder {

  private DependencyOrder() {}

  /**
   * A dependency cycle of {@code dependencies} (stage -> stages it reads from), if any, as the
   * path {@code [a, b, ..., a]} where each stage reads from the next. Deterministic: the
   * search starts from stages in map order and follows inputs in list order. Unknown
   * dependencies are ignored.
   */
  public static Optional<ImmutableList<String>> findCycle(Map<String, ? extends Collection<String>> dependencies) {
    return walk(dependencies).cycle();
  }

  /**
   * Every stage, inputs before readers; independent stages keep map order.
   *
   * @throws IllegalArgumentException if there is a cycle
   */
  public static ImmutableList<String> topologicalOrder(Map<String, ? extends Collection<String>> deps) {
    Walk walk = walk(deps);
    if (walk.cycle().isPresent()) {
      throw new IllegalArgumentException("dependency cycle: " + String.join(" -> ", walk.cycle().get()));
    }
    return walk.postOrder();
  }

  /** The result of one depth-first walk: post-order (inputs first) and the first cycle met. */
  private record Walk(ImmutableList<String> postOrder, Optional<ImmutableList<String>> cycle) {}

  /**
   * Depth-first from each stage in declaration order, following inputs in list order, so that
   * inputs come first and independent stages keep their declared order. Iterative: deep
   * pipelines must not overflow the stack.
   */
  private static Walk walk(Map<String, ? extends Collection<String>> deps) {
    ImmutableList.Builder<String> postOrder = ImmutableList.builder();
    Set<String> done = new HashSet<>();
    for (String start : deps.keySet()) {
      if (done.contains(start)) {
        continue;
      }
      List<String> path = new ArrayList<>();
      Deque<java.util.Iterator<String>> pending = new ArrayDeque<>();
      Set<String> onPath = new HashSet<>();
      path.add(start);
      onPath.add(start);
      pending.addLast(deps.get(start).iterator());
      while (!path.isEmpty()) {
        java.util.Iterator<String> next = pending.peekLast();
        if (next.hasNext()) {
          String input = next.next();
          if (!deps.containsKey(input) || done.contains(input)) {
            continue;
          }
          if (onPath.contains(input)) {
            ImmutableList<String> cycle = ImmutableList.<String>builder()
                .addAll(path.subList(path.indexOf(input), path.size())).add(input).build();
            return new Walk(postOrder.build(), Optional.of(cycle));
          }
          path.add(input);
          onPath.add(input);
          pending.addLast(deps.get(input).iterator());
        } else {
          String finished = path.remove(path.size() - 1);
          pending.removeLast();
          onPath.remove(finished);
          done.add(finished);
          postOrder.add(finished);
        }
      }
    }
    return new Walk(postOrder.build(), Optional.empty());
  }

}
