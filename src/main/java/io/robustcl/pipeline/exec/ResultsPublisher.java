package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * After a successful run, copies each target's artifact files (never {@code manifest.json})
 * to {@code <results>/<target>/} and prints every top-level {@code *.md} file of it. A target
 * of several stages gets one subdirectory per stage. The previous contents of
 * {@code <results>/<target>/} are replaced.
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
        deleteTree(targetDir);
        List<String> stages = target.getValue();
        for (String stage : stages) {
          Manifest m = report.manifest(stage);
          if (m == null) {
            continue;
          }
          Path dest = stages.size() == 1 ? targetDir : targetDir.resolve(stage);
          copyArtifact(store.artifactDir(m.key()), m, dest);
          printMarkdown(dest, stages.size() == 1 ? target.getKey() : target.getKey() + "/" + stage, out);
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
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, @Nullable IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
