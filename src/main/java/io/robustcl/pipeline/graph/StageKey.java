package io.robustcl.pipeline.graph;

/**
 * A stage's cache key: the lowercase hex SHA-256 of its canonical key material (see
 * {@link KeyEncoder}).
 */
public record StageKey(String hex) {

  public StageKey {
    if (!io.robustcl.pipeline.cache.CacheKeys.isValid(hex)) { // not String.matches: a Pattern compiled per key
      throw new IllegalArgumentException("not a hex SHA-256: '" + hex + "'");
    }
  }

  /** The first 12 hex digits, for logs and plans. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return hex;
  }
}
