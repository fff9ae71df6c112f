package io.robustcl.pipeline.cache;

/** A {@code manifest.json} that cannot be read: unknown format version, malformed, or inconsistent. */
public final class ManifestFormatException extends RuntimeException {

  public ManifestFormatException(String message) {
    super(message);
  }

  public ManifestFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
