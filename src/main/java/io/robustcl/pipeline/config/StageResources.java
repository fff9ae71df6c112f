package io.robustcl.pipeline.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a stage asks of the machine that runs it ({@code resources:} in the pipeline file).
 * None of it enters the stage's key: where and with how much memory a stage ran does not
 * change what it computes.
 *
 * @param gpus GPUs ({@code gpu: N}); the scheduler hands out that many GPU slots, and Slurm gets
 *     {@code --gres=gpu:N}
 * @param cpus CPU cores ({@code cpus: N}), 0 if unspecified; Slurm's {@code --cpus-per-task}
 * @param memory memory ({@code mem: 16G}), or null; Slurm's {@code --mem}
 * @param time wall-time limit in Slurm's format ({@code time: "2-00:00:00"}), or null; Slurm's
 *     {@code --time}
 * @param timeout wall-time after which the process launcher ends the stage ({@code timeout: 30m}),
 *     or null for none
 */
public record StageResources(int gpus, int cpus, @Nullable String memory, @Nullable String time, @Nullable Duration timeout) {

  /** A stage that asks for nothing in particular. */
  public static final StageResources NONE = new StageResources(0, 0, null, null, null);

  /** Only {@code gpus} GPUs. */
  public static StageResources gpus(int gpus) {
    return new StageResources(gpus, 0, null, null, null);
  }
}
