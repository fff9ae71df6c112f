package io.robustcl.pipeline.exec;

import com.google.common.collect.MapMaker;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.graph.StageGraph;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * The dependency graph of each pipeline spec, built once per injector: a run started as a tool
 * plans, then runs, in one JVM, and both walk the same graph (at 10,000 stages building it
 * cost about as much as the whole plan's bookkeeping).
 */
@Singleton
public final class StageGraphs {

  /** By identity, held weakly (a spec record's own equals would compare every stage). */
  private final Map<PipelineSpec, StageGraph> graphs = new MapMaker().weakKeys().makeMap();

  @Inject
  public StageGraphs() {}

  /** The graph of {@code spec}. */
  public StageGraph of(PipelineSpec spec) {
    return graphs.computeIfAbsent(spec, StageGraph::of);
  }
}
