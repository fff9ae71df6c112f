package io.robustcl.pipeline.cache;

/**
 * One file of an artifact as its manifest records it.
 *
 * @param sha256 lowercase hex SHA-256 of the file's bytes
 * @param size length in bytes
 */
public record FileEntry(String sha256, long size) {

  public FileEntry {
    CacheKeys.requireValid(sha256);
    if (size < 0) {
      throw new IllegalArgumentException("negative file size " + size);
    }
  }
}
