package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;

/**
 * Where a run's stages compute.
 *
 * @param launcher the name of a bound {@link StageLauncher}: {@code in-process} (default),
 *     {@code process} or {@code slurm}
 * @param schedulerOptions extra flags for a batch scheduler ({@code --slurm-opt}), e.g.
 *     {@code --partition=gpu}
 */
public record LaunchSettings(String launcher, ImmutableList<String> schedulerOptions) {

  /** The scheduler's own JVM. */
  public static final String IN_PROCESS = "in-process";

  public static final LaunchSettings DEFAULT = new LaunchSettings(IN_PROCESS, ImmutableList.of());
}
