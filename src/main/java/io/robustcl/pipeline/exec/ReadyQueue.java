package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.graph.StageGraph;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * The stages of a run whose inputs are all committed, found the way Kahn's topological sort
 * finds them: every stage keeps a count of its inputs not committed yet, committing a stage
 * decrements the counts of its readers, and a reader whose count reaches zero becomes ready.
 * The work per committed stage is its number of readers, so a whole run costs O(stages + edges)
 * (plus a heap's log), where rescanning every pending stage after each finished one cost
 * O(stages^2) in a run where many stages compute.
 *
 * <p>Ready stages come out lowest position in the run's order first, not first come first
 * served: at {@code --jobs 1} a run starts its stages exactly in that topological order, so its
 * logs do not depend on which cache hits happened to come first. Used by the scheduler thread
 * only.
 */
final class ReadyQueue {

  private final StageGraph graph;
  private final ImmutableList<String> order;
  private final Map<String, Integer> position = new HashMap<>();
  private final Map<String, Integer> uncommittedInputs = new HashMap<>();
  private final PriorityQueue<Integer> ready = new PriorityQueue<>();

  /**
   * @param order the run's stages in topological order; every input of each is among them (a
   *     closure)
   */
  ReadyQueue(StageGraph graph, List<String> order) {
    this.graph = graph;
    this.order = ImmutableList.copyOf(order);
    for (int i = 0; i < this.order.size(); i++) {
      position.put(this.order.get(i), i);
    }
    for (int i = 0; i < this.order.size(); i++) {
      String name = this.order.get(i);
      int inputs = graph.dependencies(name).size(); // distinct stages: StageGraph drops repeats
      uncommittedInputs.put(name, inputs);
      if (inputs == 0) {
        ready.add(i);
      }
    }
  }

  /** The ready stage earliest in the run's order, now taken out; null if none is ready. */
  @Nullable String poll() {
    Integer next = ready.poll();
    return next == null ? null : order.get(next);
  }

  /** {@code name}'s artifact is committed: its readers in this run that have no other input left become ready. */
  void committed(String name) {
    for (String reader : graph.dependants(name)) {
      Integer left = uncommittedInputs.get(reader);
      if (left == null) {
        continue; // a reader outside the targets' closure
      }
      uncommittedInputs.put(reader, left - 1);
      if (left == 1) {
        ready.add(position.get(reader));
      }
    }
  }

  /** {@code name}'s position in the run's order (lower starts first). */
  int position(String name) {
    Integer p = position.get(name);
    if (p == null) {
      throw new IllegalArgumentException("stage " + name + " is not part of this run");
    }
    return p;
  }
}
