package io.robustcl.pipeline.graph;

import com.google.common.collect.ImmutableList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How much the goals of a run (e.g. the table stages of target {@code all}) share: the stages
 * they need together, those that two or more goals need (built once, whichever goal asks
 * first), and how many distinct computations that is (stages of different names whose
 * definition keys are equal share one artifact too).
 *
 * @param goals the goal stages, in the order given
 * @param needed every stage the goals need, in topological order
 * @param shared the needed stages that at least two goals need, in topological order
 * @param distinctKeys how many distinct definition keys the needed stages have
 */
public record TargetOverlap(
    ImmutableList<String> goals, ImmutableList<String> needed, ImmutableList<String> shared, int distinctKeys) {

  private static final int NONE = -1;
  private static final int SEVERAL = -2;

  /**
   * The overlap of {@code goals} in {@code graph}, with {@code keys} the stages' definition keys.
   * One pass in reverse topological order, each stage marked with the single goal that needs it
   * or "several": linear in the edges, however many goals there are.
   */
  public static TargetOverlap of(StageGraph graph, Collection<String> goals, Map<String, StageKey> keys) {
    ImmutableList<String> goalList = ImmutableList.copyOf(new java.util.LinkedHashSet<>(goals));
    ImmutableList<String> needed = graph.closure(goalList);
    Set<String> inClosure = new HashSet<>(needed);
    Map<String, Integer> goalIndex = new HashMap<>();
    for (int i = 0; i < goalList.size(); i++) {
      goalIndex.put(goalList.get(i), i);
    }
    Map<String, Integer> mark = new HashMap<>(needed.size() * 2);
    for (String stage : needed.reverse()) {
      int m = goalIndex.getOrDefault(stage, NONE);
      for (String reader : graph.dependants(stage)) {
        if (inClosure.contains(reader)) {
          m = combine(m, mark.get(reader));
        }
      }
      mark.put(stage, m);
    }
    ImmutableList<String> shared = needed.stream().filter(s -> mark.get(s) == SEVERAL)
        .collect(ImmutableList.toImmutableList());
    Set<StageKey> distinct = new HashSet<>();
    needed.forEach(s -> distinct.add(keys.get(s)));
    return new TargetOverlap(goalList, needed, shared, distinct.size());
  }

  private static int combine(int a, int b) {
    if (a == NONE) {
      return b;
    }
    if (b == NONE || a == b) {
      return a;
    }
    return SEVERAL;
  }

  /** One line: {@code 2 goals need 43 stages (43 distinct keys); 5 are shared by two or more: a, b, ...}. */
  public String summary(int namesShown) {
    List<String> shown = shared.size() <= namesShown ? shared : shared.subList(0, namesShown);
    return goals.size() + (goals.size() == 1 ? " goal needs " : " goals need ") + needed.size() + " stages ("
        + distinctKeys + " distinct keys); " + shared.size() + " of them "
        + (shared.size() == 1 ? "is" : "are") + " shared by two or more goals"
        + (shared.isEmpty() ? "" : ": " + String.join(", ", shown) + (shown.size() < shared.size() ? ", ..." : ""));
  }
}
