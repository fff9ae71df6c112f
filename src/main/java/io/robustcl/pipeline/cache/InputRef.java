package io.robustcl.pipeline.cache;

/**
 * An artifact that fed an input port, as a manifest records it.
 *
 * @param stageName the feeding stage's name in the pipeline file at the time (informative
 *     only: names do not enter keys)
 * @param key the feeding artifact's key
 * @param contentHash the feeding artifact's content hash, which entered this artifact's key
 */
public record InputRef(String stageName, String key, String contentHash) {

  public InputRef {
    CacheKeys.requireValid(key);
    CacheKeys.requireValid(contentHash);
  }
}
