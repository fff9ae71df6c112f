package io.robustcl.pipeline.exec;

import io.robustcl.pipeline.cache.CacheKeys;
import io.robustcl.pipeline.cache.IoProblems;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ByteBuffer bytes = ByteBuffer.wrap((key + "\n").getBytes(StandardCharsets.US_ASCII));
          while (bytes.hasRemaining()) {
            channel.write(bytes);
          }
          channel.force(true); // the content is on disk before the name points at it
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
          directory.force(true); // and the rename itself survives a crash
        } catch (IOException e) {
          // some filesystems cannot sync a directory; the rename is atomic all the same
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + IoProblems.describe(e), e);
    }
  }

  /** The longest stage name kept as its own file name (file systems allow 255 bytes). */
  static final int MAX_PLAIN_NAME = 150;

  /**
   * The index file of {@code stageName}: the name itself, or, for a name too long to be a file
   * name, its first characters plus the SHA-256 of all of it (a 300-character name once made
   * every real run fail writing {@code names/}).
   */
  private Path file(String stageName) {
    if (stageName.isEmpty() || stageName.contains("/") || stageName.contains("\\") || stageName.startsWith(".")
        || stageName.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("bad stage name '" + stageName + "'");
    }
    if (stageName.getBytes(StandardCharsets.UTF_8).length <= MAX_PLAIN_NAME) {
      return dir.resolve(stageName);
    }
    String hash = com.google.common.hash.Hashing.sha256().hashString(stageName, StandardCharsets.UTF_8).toString();
    return dir.resolve(stageName.substring(0, 64) + "~" + hash);
  }
}
