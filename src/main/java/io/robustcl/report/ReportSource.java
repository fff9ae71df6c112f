package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.graph.DagView;
import java.nio.file.Path;

/**
 * What a report is made from: the targets' closure as the cache has it, and how to build
 * what is missing.
 *
 * @param pipelineFile the pipeline file
 * @param targets the targets reported on
 * @param profile the profile the stages were resolved with
 * @param buildCommand the command that builds every missing artifact, e.g.
 *     {@code ./pipeline run pipelines.yaml --target table2 --profile micro}
 * @param stages the closure in topological order
 * @param dag the closure's graph as {@code pipeline dag} draws it (matrix groups folded)
 */
public record ReportSource(
    Path pipelineFile,
    ImmutableList<String> targets,
    String profile,
    String buildCommand,
    ImmutableList<ReportStage> stages,
    DagView dag) {

  /** The stage named {@code name}, if it is in the closure. */
  public java.util.Optional<ReportStage> stage(String name) {
    return stages.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
