package io.robustcl.pipeline.cache;

import com.google.common.io.BaseEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.SortedMap;

/**
 * SHA-256 of files and of whole artifacts.
 *
 * <p>An artifact's content hash is the SHA-256 over its files in ascending order of relative
 * path ({@code /}-separated, compared as Java strings), each file contributing the 8-byte
 * big-endian length of its UTF-8 path, the path's bytes, and the 32 raw bytes of the file's
 * SHA-256. The explicit length makes the encoding unambiguous: no two different file sets
 * feed the digest the same bytes. Empty directories are not part of an artifact.
 */
public final class ContentHash {

  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();

  private ContentHash() {}

  /** The content hash of an artifact made of {@code files} (relative path -> entry). */
  public static String of(SortedMap<String, FileEntry> files) {
    MessageDigest digest = sha256();
    for (Map.Entry<String, FileEntry> file : files.entrySet()) {
      byte[] path = file.getKey().getBytes(StandardCharsets.UTF_8);
      digest.update(ByteBuffer.allocate(Long.BYTES).putLong(path.length).array());
      digest.update(path);
      digest.update(HEX.decode(file.getValue().sha256()));
    }
    return HEX.encode(digest.digest());
  }

  /** The SHA-256 and size of one file. */
  public static FileEntry ofFile(Path file) {
    MessageDigest digest = sha256();
    long size = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
        size += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hash " + file + ": " + e.getMessage(), e);
    }
    return new FileEntry(HEX.encode(digest.digest()), size);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
