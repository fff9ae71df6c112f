package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import org.jspecify.annotations.Nullable;

/**
 * What a run would do with one stage, and why.
 *
 * @param stageName the stage
 * @param willRun false if its artifact is cached
 * @param key its key, or null while an upstream stage must run first (the key depends on
 *     that stage's output)
 * @param reasons why it runs (empty when cached): {@code new}, {@code forced}, {@code param
 *     changed: lr 0.1 -> 0.2}, {@code input changed: data}, {@code version changed: ...},
 *     {@code missing: ...}, {@code upstream X reruns}
 */
public record PlanEntry(String stageName, boolean willRun, @Nullable String key, ImmutableList<String> reasons) {}
