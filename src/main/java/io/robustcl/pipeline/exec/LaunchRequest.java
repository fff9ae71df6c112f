package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.config.StageResources;
import java.nio.file.Path;

/**
 * Everything a {@link StageLauncher} needs to run one stage, so that the stage can run in
 * this JVM, a child JVM or a batch job alike: its resolved spec, where its committed inputs
 * are, where to write, and on which device.
 *
 * @param stageName the stage's name in the pipeline file
 * @param stageType the bound stage type
 * @param key the stage's key
 * @param params fully resolved params
 * @param inputs per port, the committed input artifacts in pipeline-file order
 * @param outputDir empty directory that becomes the artifact on success
 * @param workDir resumable checkpoint directory ({@code cache/work/<key>/})
 * @param device {@code "cpu"}, {@code "gpu:<i>"}, or every GPU a stage with {@code resources: {gpu: N}}
 *     holds, e.g. {@code "gpu:0,1"}
 * @param resources what the stage asked of the machine (launchers outside this JVM use it)
 * @param schedulerOptions the run's extra flags for a batch scheduler ({@code --slurm-opt})
 */
public record LaunchRequest(
    String stageName,
    String stageType,
    String key,
    Params params,
    ImmutableMap<String, ImmutableList<Artifact>> inputs,
    Path outputDir,
    Path workDir,
    String device,
    StageResources resources,
    ImmutableList<String> schedulerOptions) {

  /** {@link #device} one per element: {@code ["cpu"]}, or {@code ["gpu:0", "gpu:1"]} for {@code "gpu:0,1"}. */
  public ImmutableList<String> devices() {
    if (!device.startsWith("gpu:")) {
      return ImmutableList.of(device);
    }
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (String index : device.substring("gpu:".length()).split(",")) {
      out.add("gpu:" + index.strip());
    }
    return out.build();
  }
}
