package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.cache.InputRef;
import io.robustcl.pipeline.config.StageSpec;

/**
 * A stage whose inputs are all committed, so its key is known: the first step of executing
 * it (resolve key -> look up cache -> lock -> run -> commit).
 *
 * @param spec the stage as the pipeline file declares it
 * @param stage the bound stage type
 * @param key its key
 * @param inputs per port, the feeding artifacts as the manifest records them
 * @param artifacts per port, the feeding artifacts as the stage reads them
 */
public record ResolvedStage(
    StageSpec spec,
    Stage stage,
    String key,
    ImmutableSortedMap<String, ImmutableList<InputRef>> inputs,
    ImmutableMap<String, ImmutableList<Artifact>> artifacts) {

  public String name() {
    return spec.name();
  }

  /** Per port, the content hashes that entered the key. */
  public ImmutableMap<String, ImmutableList<String>> inputHashes() {
    ImmutableMap.Builder<String, ImmutableList<String>> out = ImmutableMap.builder();
    inputs.forEach((port, refs) -> out.put(port, refs.stream().map(InputRef::contentHash).collect(ImmutableList.toImmutableList())));
    return out.buildOrThrow();
  }
}
