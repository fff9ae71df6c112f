package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.io.MoreFiles;
import io.robustcl.pipeline.cache.ArtifactPaths;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.IoProblems;
import io.robustcl.pipeline.cache.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * After a successful run, copies each target's artifact files (never {@code manifest.json})
 * to {@code <results>/<target>/} and prints every top-level {@code *.md} file of it. A target
 * of several stages gets one subdirectory per stage. The previous contents of
 * {@code <results>/<target>/} are replaced when the target's artifacts changed; the keys they
 * were copied from are kept in {@code <results>/.<target>.keys}, so a cached re-run copies
 * nothing.
 *
 * <p>Manifests in a shared cache are input from whoever wrote them: every file path is checked
 * ({@link ArtifactPaths}), and a file is copied only if it is a regular file reached through
 * real directories of the artifact, so nothing outside {@code <results>} is ever written and
 * nothing outside the artifact is read. A target's files are copied into a temporary
 * directory beside it and renamed into place, so a failure leaves the previous results whole.
 */
public final class ResultsPublisher {

  private ResultsPublisher() {}

  public static void publish(RunReport report, ArtifactStore store, Path resultsDir, PrintWriter out) {
    for (Map.Entry<String, ImmutableList<String>> target : report.targets().entrySet()) {
      Path targetDir = resultsDir.resolve(target.getKey()).normalize();
      if (!targetDir.startsWith(resultsDir.normalize())) {
        throw new IllegalArgumentException("target name '" + target.getKey() + "' escapes " + resultsDir);
      }
      try {
        List<String> stages = target.getValue();
        StringBuilder keys = new StringBuilder();
        for (String stage : stages) {
          Manifest m = report.manifest(stage);
          keys.append(stage).append(' ').append(m == null ? "-" : m.key()).append('\n');
        }
        Path stamp = resultsDir.resolve("." + target.getKey() + ".keys");
        boolean current = Files.isDirectory(targetDir) && Files.isRegularFile(stamp)
            && Files.readString(stamp, StandardCharsets.UTF_8).contentEquals(keys);
        if (!current) {
          Files.createDirectories(resultsDir);
          Path fresh = Files.createTempDirectory(resultsDir, "." + target.getKey() + ".tmp-");
          try {
            for (String stage : stages) {
              Manifest m = report.manifest(stage);
              if (m != null) {
                copyArtifact(store.artifactDir(m.key()), m, stages.size() == 1 ? fresh : fresh.resolve(stage));
              }
            }
            Files.deleteIfExists(stamp);
            replace(fresh, targetDir);
          } finally {
            deleteTree(fresh);
          }
          Files.writeString(stamp, keys, StandardCharsets.UTF_8);
        }
        for (String stage : stages) {
          Manifest m = report.manifest(stage);
          if (m != null && m.files().keySet().stream().anyMatch(f -> f.endsWith(".md") && f.indexOf('/') < 0)) {
            Path dest = stages.size() == 1 ? targetDir : targetDir.resolve(stage);
            printMarkdown(dest, stages.size() == 1 ? target.getKey() : target.getKey() + "/" + stage, out);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write results to " + targetDir + ": " + IoProblems.describe(e), e);
      }
    }
    out.flush();
  }

  /**
   * Renames {@code fresh} to {@code target}, replacing what is there. Two runs publishing the
   * same target at once (found by bench/torture.sh) each move the other's directory aside
   * whole and retry, so the target is always one run's complete copy.
   */
  private static void replace(Path fresh, Path target) throws IOException {
    for (int attempt = 0; ; attempt++) {
      if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + java.util.UUID.randomUUID());
        try {
          Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.NoSuchFileException e) {
          // the other run moved it first
        }
        deleteTree(old);
      }
      try {
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        return;
      } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        if (attempt >= 20) {
          throw e;
        }
      }
    }
  }

  private static void copyArtifact(Path from, Manifest manifest, Path to) throws IOException {
    Files.createDirectories(to);
    if (Files.isSymbolicLink(from)) {
      throw new IOException("artifact " + from + " is a symbolic link; run `pipeline verify` to quarantine it");
    }
    for (String relative : manifest.files().keySet()) {
      Path source = ArtifactPaths.regularFileBelow(from, relative); // also rejects '..' and absolute paths
      Path dest = to.resolve(relative).normalize();
      if (!dest.startsWith(to)) {
        throw new IOException("file path '" + relative + "' escapes " + to);
      }
      Files.createDirectories(dest.getParent());
      Files.copy(source, dest, StandardCopyOption.REPLACE_EXISTING, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static void printMarkdown(Path dir, String label, PrintWriter out) throws IOException {
    List<Path> markdown;
    try (Stream<Path> files = Files.list(dir)) {
      markdown = files.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p)).sorted().toList();
    }
    for (Path md : markdown) {
      out.println();
      out.println("== " + label + "/" + md.getFileName() + " ==");
      out.print(Files.readString(md, StandardCharsets.UTF_8));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      MoreFiles.deleteRecursively(dir);
    }
  }
}
