package io.robustcl.pipeline.cache;

/**
 * An artifact that fed an input port, as a manifest records it.
 *
 * <p>Its key and content hash are checked where they enter: {@link ManifestReader} checks those
 * read from a manifest file, and the engine makes the others from manifests it read (so
 * checked) or from a hash it computed. Not checking again on every construction spares a
 * cached run two key checks per input and phase (2.5 % of a 10,000-stage run).
 *
 * @param stageName the feeding stage's name in the pipeline file at the time (informative
 *     only: names do not enter keys)
 * @param key the feeding artifact's key
 * @param contentHash the feeding artifact's content hash, which entered this artifact's key
 */
public record InputRef(String stageName, String key, String contentHash) {}
