package io.robustcl.pipeline.graph;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every stage's key computed from the pipeline's text alone: the {@link KeyEncoder} key with
 * the definition keys of its input stages standing in for their content hashes. Two stages
 * with equal definition keys are the same computation on the same inputs, so they share one
 * cached artifact (as long as their upstream stages are deterministic); a rewritten pipeline
 * file whose definition keys are unchanged builds nothing new. Files a stage reads from
 * outside the cache (the dataset directory) are not part of it.
 */
public final class DefinitionKeys {

  private DefinitionKeys() {}

  /** The definition key of every stage of {@code spec}, in topological order. */
  public static ImmutableMap<String, StageKey> of(PipelineSpec spec, Map<String, Stage> stageTypes, KeyEncoder keys) {
    StageGraph graph = StageGraph.of(spec);
    Map<String, StageKey> out = new HashMap<>(spec.stages().size() * 2);
    ImmutableMap.Builder<String, StageKey> ordered = ImmutableMap.builderWithExpectedSize(spec.stages().size());
    for (String name : graph.topologicalOrder()) {
      StageSpec stage = spec.stage(name);
      Stage type = stageTypes.get(stage.type());
      if (type == null) {
        throw new IllegalArgumentException("stage type '" + stage.type() + "' of stage '" + name + "' is not bound");
      }
      Map<String, List<String>> inputs = new HashMap<>();
      stage.inputs().forEach((port, producers) -> inputs.put(port,
          producers.stream().map(p -> out.get(p).hex()).collect(ImmutableList.toImmutableList())));
      StageKey key = keys.key(stage, type, inputs);
      out.put(name, key);
      ordered.put(name, key);
    }
    return ordered.buildOrThrow();
  }
}
