package io.robustcl.pipeline.exec;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fingerprint of a stage's {@linkplain io.robustcl.pipeline.Stage#externalInputs external
 * inputs}: SHA-256 over, per given path in order, the path, then for every regular file below
 * it (sorted by relative path) the relative path, size and modification time, each field
 * length-prefixed. A missing path hashes as missing, so creating it changes the fingerprint.
 *
 * <p>Metadata, not contents: a fully cached run stats the files and reads none of them. The
 * price is the usual one of Make and Snakemake: touching a file reruns the stage (whose
 * identical output then cuts the rerun off before its dependants).
 */
final class ExternalInputs {

  /** The input port under which the fingerprint enters keys and manifests; no declared port can start with '@'. */
  static final String PORT = "@external";

  private ExternalInputs() {}

  static String fingerprint(List<Path> paths) {
    Hasher hasher = Hashing.sha256().newHasher();
    for (Path path : paths) {
      Path root = path.toAbsolutePath().normalize();
      putString(hasher, root.toString());
      if (!Files.exists(root)) {
        putString(hasher, "missing");
        continue;
      }
      for (Path file : regularFiles(root)) {
        try {
          BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
          putString(hasher, root.relativize(file).toString());
          hasher.putLong(attributes.size());
          hasher.putLong(attributes.lastModifiedTime().toMillis());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the attributes of " + file, e);
        }
      }
    }
    return hasher.hash().toString();
  }

  private static List<Path> regularFiles(Path root) {
    if (Files.isRegularFile(root)) {
      return List.of(root);
    }
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> files = new ArrayList<>(walk.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList());
      files.sort(null);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  private static void putString(Hasher hasher, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    hasher.putInt(bytes.length).putBytes(bytes);
  }
}
