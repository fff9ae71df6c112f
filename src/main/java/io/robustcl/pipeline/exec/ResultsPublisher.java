package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.io.MoreFiles;
import io.robustcl.pipeline.cache.ArtifactStore;
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
          Files.deleteIfExists(stamp);
          deleteTree(targetDir);
          Files.createDirectories(targetDir);
        }
        for (String stage : stages) {
          Manifest m = report.manifest(stage);
          if (m == null) {
            continue;
          }
          Path dest = stages.size() == 1 ? targetDir : targetDir.resolve(stage);
          if (!current) {
            copyArtifact(store.artifactDir(m.key()), m, dest);
          }
          if (m.files().keySet().stream().anyMatch(f -> f.endsWith(".md") && f.indexOf('/') < 0)) {
            printMarkdown(dest, stages.size() == 1 ? target.getKey() : target.getKey() + "/" + stage, out);
          }
        }
        if (!current) {
          Files.writeString(stamp, keys, StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write results to " + targetDir + ": " + e.getMessage(), e);
      }
    }
    out.flush();
  }

  private static void copyArtifact(Path from, Manifest manifest, Path to) throws IOException {
    Files.createDirectories(to);
    for (String relative : manifest.files().keySet()) {
      Path dest = to.resolve(relative);
      Files.createDirectories(dest.getParent());
      Files.copy(from.resolve(relative), dest, StandardCopyOption.REPLACE_EXISTING);
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
    if (Files.exists(dir)) {
      MoreFiles.deleteRecursively(dir);
    }
  }
}
