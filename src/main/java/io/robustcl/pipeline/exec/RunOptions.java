package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import org.jspecify.annotations.Nullable;

/**
 * How to run a pipeline's targets.
 *
 * @param targets target names (declared targets or stage names)
 * @param jobs how many stages may run at once, at least 1
 * @param gpus GPU slots, or null to detect them ({@link GpuCount})
 * @param device the device policy for stages that declare GPUs
 * @param forced stage names to rerun even when cached
 * @param keepGoing after a failure, keep running what does not depend on the failed stage
 * @param launch where stages compute (launcher and its options)
 */
public record RunOptions(
    ImmutableList<String> targets,
    int jobs,
    @Nullable Integer gpus,
    DeviceMode device,
    ImmutableSet<String> forced,
    boolean keepGoing,
    LaunchSettings launch) {

  public RunOptions {
    if (jobs < 1) {
      throw new IllegalArgumentException("--jobs must be at least 1, not " + jobs);
    }
    if (gpus != null && gpus < 0) {
      throw new IllegalArgumentException("--gpus must be at least 0, not " + gpus);
    }
  }

  /** Build {@code targets} one stage at a time, GPUs detected, fail-fast, nothing forced. */
  public static RunOptions of(String... targets) {
    return new RunOptions(ImmutableList.copyOf(targets), 1, null, DeviceMode.AUTO, ImmutableSet.of(), false, LaunchSettings.DEFAULT);
  }

  public RunOptions withJobs(int n) {
    return new RunOptions(targets, n, gpus, device, forced, keepGoing, launch);
  }

  public RunOptions withGpus(@Nullable Integer n) {
    return new RunOptions(targets, jobs, n, device, forced, keepGoing, launch);
  }

  public RunOptions withDevice(DeviceMode mode) {
    return new RunOptions(targets, jobs, gpus, mode, forced, keepGoing, launch);
  }

  public RunOptions withForced(String... stages) {
    return new RunOptions(targets, jobs, gpus, device, ImmutableSet.copyOf(stages), keepGoing, launch);
  }

  public RunOptions withLaunch(LaunchSettings settings) {
    return new RunOptions(targets, jobs, gpus, device, forced, keepGoing, settings);
  }

  public RunOptions withKeepGoing(boolean keep) {
    return new RunOptions(targets, jobs, gpus, device, forced, keep, launch);
  }
}
