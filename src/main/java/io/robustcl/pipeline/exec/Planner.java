package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import io.robustcl.pipeline.graph.StageGraph;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code run} would do, without running anything: for each stage of the targets'
 * closure, cached or not, and why not. A stage downstream of one that must run has no key
 * yet (its key depends on that stage's output); it is planned to run, though early cut-off
 * may still find it cached.
 */
public final class Planner {

  private final StageResolver resolver;
  private final StageGraphs graphs;

  @Inject
  public Planner(StageResolver resolver, StageGraphs graphs) {
    this.resolver = resolver;
    this.graphs = graphs;
  }

  /** The plan for {@code targets} (forcing {@code forced}) in topological order. */
  public ImmutableList<PlanEntry> plan(
      PipelineSpec spec, ArtifactStore store, StageNameIndex index, List<String> targets, Set<String> forced) {
    PipelineRunner.targets(spec, targets);
    StageGraph graph = graphs.of(spec);
    ImmutableList<String> order = graph.closure(spec.targetStages(targets));
    PipelineRunner.checkForced(forced, order);
    Map<String, Manifest> committed = new HashMap<>();
    ImmutableList.Builder<PlanEntry> plan = ImmutableList.builder();
    for (String name : order) {
      StageSpec stageSpec = spec.stage(name);
      // the graph's list, not StageSpec.upstream(), which builds a new one per call
      List<String> rerunning = graph.dependencies(name).stream().filter(d -> !committed.containsKey(d)).toList();
      if (!rerunning.isEmpty()) {
        plan.add(new PlanEntry(name, true, null, blockedReasons(stageSpec, store, index, rerunning, forced)));
        continue;
      }
      ResolvedStage resolved = resolver.resolve(stageSpec, committed, store);
      Optional<Manifest> hit = forced.contains(name)
          ? Optional.empty()
          : PipelineRunner.lookup(store, resolved.key(), name, StageEvents.none());
      if (hit.isPresent()) {
        committed.put(name, hit.get());
        plan.add(new PlanEntry(name, false, resolved.key(), ImmutableList.of()));
      } else {
        ImmutableList<String> why = forced.contains(name)
            ? ImmutableList.of("forced")
            : PipelineRunner.explain(store, index, resolved);
        plan.add(new PlanEntry(name, true, resolved.key(), why));
      }
    }
    store.saveVerified();
    return plan.build();
  }

  private ImmutableList<String> blockedReasons(
      StageSpec spec, ArtifactStore store, StageNameIndex index, List<String> rerunning, Set<String> forced) {
    List<String> out = new ArrayList<>();
    if (forced.contains(spec.name())) {
      out.add("forced");
    }
    // the key is unknown, but param and version changes against the last build still show
    Stage stage = resolver.stageOf(spec);
    String lastKey = index.lastKey(spec.name()).orElse(null);
    Manifest last = lastKey == null ? null : PipelineRunner.lookup(store, lastKey, spec.name(), StageEvents.none()).orElse(null);
    if (lastKey == null || last != null) {
      out.addAll(ChangeExplainer.reasons(lastKey, last, null, spec.type(), stage.version(), spec.params(), null));
    }
    out.add("upstream " + String.join(", ", rerunning) + (rerunning.size() == 1 ? " reruns" : " rerun"));
    return ImmutableList.copyOf(out);
  }
}
