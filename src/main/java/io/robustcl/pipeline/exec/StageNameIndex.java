package io.robustcl.pipeline.exec;

import io.robustcl.pipeline.cache.CacheKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The last key each stage name was built (or found cached) under, one small file per name
 * in {@code <cache>/names/<stage>}. {@code plan} compares a stage's new key material with
 * the manifest of that key to say why the stage reruns ("param changed: lr 0.1 -> 0.2").
 * Names never enter keys; this index is only for explanations. Safe across processes: each
 * write replaces the file atomically, and the last writer wins.
 */
public final class StageNameIndex {

  private final Path dir;

  /** The index of the cache rooted at {@code cacheRoot}. */
  public StageNameIndex(Path cacheRoot) {
    this.dir = cacheRoot.resolve("names");
  }

  /** The last key recorded for {@code stageName}, if any. */
  public Optional<String> lastKey(String stageName) {
    try {
      String key = Files.readString(file(stageName), StandardCharsets.US_ASCII).trim();
      return CacheKeys.isValid(key) ? Optional.of(key) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file(stageName) + ": " + e.getMessage(), e);
    }
  }

  /** Records {@code key} as {@code stageName}'s last key (no write when it is already). */
  public void record(String stageName, String key) {
    CacheKeys.requireValid(key);
    if (lastKey(stageName).filter(key::equals).isPresent()) {
      return;
    }
    Path target = file(stageName);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".tmp-", "");
      try {
        Files.writeString(tmp, key + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private Path file(String stageName) {
    if (stageName.isEmpty() || stageName.contains("/") || stageName.contains("\\") || stageName.startsWith(".")) {
      throw new IllegalArgumentException("bad stage name '" + stageName + "'");
    }
    return dir.resolve(stageName);
  }
}
