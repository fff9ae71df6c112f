package io.robustcl.pipeline.graph;

import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.config.StageSpec;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;

/**
 * Computes stage keys from a canonical, length-prefixed encoding of stage type, version,
 * resolved params and the content hashes of the input artifacts per port. Stage names never
 * enter a key. Stateless and thread-safe.
 */
public final class KeyEncoder {

  @Inject
  public KeyEncoder() {}

  /**
   * The key of a stage of {@code type} at {@code version} with {@code params}, fed by
   * artifacts whose content hashes are {@code inputContentHashes} (port -> hashes in list
   * order; ports with no artifacts may be absent or empty, alike).
   */
  public StageKey key(String type, int version, Params params, Map<String, ? extends List<String>> inputContentHashes) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** The key of {@code spec}, run by {@code stage}, fed by {@code inputContentHashes}. */
  public StageKey key(StageSpec spec, Stage stage, Map<String, ? extends List<String>> inputContentHashes) {
    return key(spec.type(), stage.version(), spec.params(), inputContentHashes);
  }

  /**
   * A human-readable canonical form of {@code params}, e.g. {@code {eps=0.03137254901960784,
   * steps=10}}: keys sorted, strings quoted, equal params always give equal strings.
   */
  public String canonicalParams(Params params) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
