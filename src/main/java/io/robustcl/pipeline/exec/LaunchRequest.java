package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
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
 * @param devices {@code ["cpu"]}, or every GPU the stage holds ({@code ["gpu:0", "gpu:1"]} for
 *     {@code resources: {gpu: 2}})
 */
public record LaunchRequest(
    String stageName,
    String stageType,
    String key,
    Params params,
    ImmutableMap<String, ImmutableList<Artifact>> inputs,
    Path outputDir,
    Path workDir,
    ImmutableList<String> devices) {

  public LaunchRequest {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("stage " + stageName + " given no device");
    }
  }

  /** The first device: the one a stage that computes on one device uses. */
  public String device() {
    return devices.get(0);
  }
}
