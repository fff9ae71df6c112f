package io.robustcl.pipeline.exec;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.IoProblems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fingerprint of a stage's {@linkplain io.robustcl.pipeline.Stage#externalInputs external
 * inputs}: SHA-256 over, per given path in order, the path, then for every regular file below
 * it (sorted by relative path) the relative path and the SHA-256 of its bytes, each field
 * length-prefixed. A missing path hashes as missing, so creating it changes the fingerprint.
 *
 * <p>Contents, as DVC does, not modification times as Make and Snakemake do: a copied,
 * re-extracted or touched dataset with the same bytes keeps every key, so {@code plan} does
 * not announce a rerun of everything downstream. The store memoizes each file's digest by its
 * identity ({@link ArtifactStore#fileDigest}), so a cached run reads a file once per change
 * and otherwise only {@code stat}s it.
 */
final class ExternalInputs {

  /** The input port under which the fingerprint enters keys and manifests; no declared port can start with '@'. */
  static final String PORT = "@external";

  private ExternalInputs() {}

  static String fingerprint(List<Path> paths, ArtifactStore store) {
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
          putString(hasher, root.relativize(file).toString());
          putString(hasher, store.fileDigest(file));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file + ", an external input: " + IoProblems.describe(e), e);
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
