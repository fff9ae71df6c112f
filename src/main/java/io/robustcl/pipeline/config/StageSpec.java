package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Params;

/**
 * One validated stage of a pipeline file.
 *
 * @param name the stage's name (matches {@code [a-z0-9][a-z0-9_.-]*}, never {@code ..})
 * @param type the stage type, a key of the stage registry
 * @param params fully resolved params: presets merged, vars substituted, defaults filled,
 *     every declared param present, values in the normal form of {@link Params}
 * @param inputs port -> names of the stages feeding it, in file order; only wired ports
 *     appear; a single-artifact port maps to a one-element list
 * @param gpus GPUs the stage needs ({@code resources: {gpu: N}}), 0 if none
 * @param location where the stage is declared (its name under {@code stages:})
 */
public record StageSpec(
    String name,
    String type,
    Params params,
    ImmutableMap<String, ImmutableList<String>> inputs,
    int gpus,
    Location location) {

  /** What the stage asks of the machine that runs it. */
  public StageResources resources() {
    return StageResources.gpus(gpus);
  }

  /** The names of every stage this one reads from, in port order then list order, without repeats. */
  public ImmutableList<String> upstream() {
    return inputs.values().stream()
        .flatMap(ImmutableList::stream)
        .distinct()
        .collect(ImmutableList.toImmutableList());
  }
}
