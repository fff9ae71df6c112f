package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.io.MoreFiles;
import io.robustcl.pipeline.cache.ArtifactPaths;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.ExclusiveFile;
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
 * Runs publishing one target at once take turns on {@code <results>/.<target>.lock}.
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
        Files.createDirectories(resultsDir);
        // one publisher of a target at a time: two runs ending together would otherwise replace
        // each other's copy while the other still copies into place or prints from it
        try (ExclusiveFile held = ExclusiveFile.lock(resultsDir.resolve("." + target.getKey() + ".lock"))) {
          publish(target.getKey(), target.getValue(), report, store, resultsDir, targetDir, out);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException("cannot write results to " + targetDir + ": interrupted while another run"
            + " published them", new java.io.InterruptedIOException(e.getMessage()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write results to " + targetDir + ": " + IoProblems.describe(e), e);
      }
    }
    out.flush();
  }

  /** Copies one target's files into place unless they are current, then prints its markdown; under the target's lock. */
  private static void publish(
      String name, List<String> stages, RunReport report, ArtifactStore store, Path resultsDir, Path targetDir,
      PrintWriter out) throws IOException {
    StringBuilder keys = new StringBuilder();
    for (String stage : stages) {
      Manifest m = report.manifest(stage);
      keys.append(stage).append(' ').append(m == null ? "-" : m.key()).append('\n');
    }
    Path stamp = resultsDir.resolve("." + name + ".keys");
    boolean current = Files.isDirectory(targetDir) && Files.isRegularFile(stamp)
        && Files.readString(stamp, StandardCharsets.UTF_8).contentEquals(keys);
    if (!current) {
      Path fresh = Files.createTempDirectory(resultsDir, "." + name + ".tmp-");
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
        printMarkdown(dest, stages.size() == 1 ? name : name + "/" + stage, out);
      }
    }
  }

  /**
   * Renames {@code fresh} to {@code target}, replacing what is there (moved aside whole, then
   * deleted). Publishers of one target take turns ({@link ExclusiveFile}); the retry only covers
   * a directory that appears between the two renames anyway.
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
