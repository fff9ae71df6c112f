package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.MapMaker;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.InputRef;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.config.StageSpec;
import io.robustcl.pipeline.graph.KeyEncoder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;

/**
 * Step 1: computes a stage's key from its spec and the manifests of its committed inputs. One
 * per injector, so that the planner and the runner share what it computed.
 */
@Singleton
public final class StageResolver {

  private final Map<String, Stage> stages;
  private final KeyEncoder keys;
  /**
   * The last key computed per stage spec (by identity, held weakly) with the input hashes it
   * came from. A run started as a tool plans, then runs in the same JVM, resolving every
   * stage twice; the key is a function of the spec and those hashes alone, so the second
   * resolution reuses it when they are equal.
   */
  private final Map<StageSpec, KnownKey> known = new MapMaker().weakKeys().makeMap();

  private record KnownKey(Map<String, List<String>> hashes, String key) {}

  @Inject
  public StageResolver(Map<String, Stage> stages, KeyEncoder keys) {
    this.stages = stages;
    this.keys = keys;
  }

  /** The bound stage type of {@code spec}. */
  public Stage stageOf(StageSpec spec) {
    Stage stage = stages.get(spec.type());
    if (stage == null) {
      throw new IllegalStateException(
          spec.location() + ": stage type '" + spec.type() + "' is not bound; bound: " + stages.keySet());
    }
    return stage;
  }

  /**
   * Resolves {@code spec} against the committed artifacts of its upstream stages.
   *
   * @param upstream stage name -> committed manifest, for at least every stage {@code spec} reads
   */
  public ResolvedStage resolve(StageSpec spec, Map<String, Manifest> upstream, ArtifactStore store) {
    Stage stage = stageOf(spec);
    ImmutableSortedMap.Builder<String, ImmutableList<InputRef>> refs = ImmutableSortedMap.naturalOrder();
    ImmutableMap.Builder<String, ImmutableList<Artifact>> artifacts = ImmutableMap.builder();
    ImmutableMap.Builder<String, List<String>> hashes = ImmutableMap.builder();
    spec.inputs().forEach((port, names) -> {
      ImmutableList.Builder<InputRef> portRefs = ImmutableList.builder();
      ImmutableList.Builder<Artifact> portArtifacts = ImmutableList.builder();
      ImmutableList.Builder<String> portHashes = ImmutableList.builder();
      for (String name : names) {
        Manifest m = upstream.get(name);
        if (m == null) {
          throw new IllegalStateException("stage " + spec.name() + " resolved before its input " + name);
        }
        portRefs.add(new InputRef(name, m.key(), m.contentHash()));
        portArtifacts.add(artifact(name, m, store));
        portHashes.add(m.contentHash());
      }
      refs.put(port, portRefs.build());
      artifacts.put(port, portArtifacts.build());
      hashes.put(port, portHashes.build());
    });
    List<java.nio.file.Path> external = stage.externalInputs(spec.params());
    if (!external.isEmpty()) {
      String fingerprint = ExternalInputs.fingerprint(external, store);
      refs.put(ExternalInputs.PORT, ImmutableList.of(new InputRef(ExternalInputs.PORT, fingerprint, fingerprint)));
      hashes.put(ExternalInputs.PORT, ImmutableList.of(fingerprint));
    }
    ImmutableMap<String, List<String>> inputHashes = hashes.buildOrThrow();
    KnownKey before = known.get(spec);
    String key;
    if (before != null && before.hashes().equals(inputHashes)) {
      key = before.key();
    } else {
      key = keys.key(spec, stage, inputHashes).hex();
      known.put(spec, new KnownKey(inputHashes, key));
    }
    return new ResolvedStage(spec, stage, key, refs.build(), artifacts.buildOrThrow());
  }

  /** The artifact a downstream stage sees for {@code manifest}, named as in the current pipeline file. */
  public static Artifact artifact(String stageName, Manifest manifest, ArtifactStore store) {
    return new Artifact(
        stageName, manifest.stageType(), manifest.outputKind(), manifest.key(), manifest.contentHash(),
        store.artifactDir(manifest.key()), manifest.params(), ImmutableMap.copyOf(manifest.metrics()));
  }
}
