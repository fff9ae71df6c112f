package io.robustcl.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Test fixture: pipeline files written into a directory and loaded with the fake stage types. */
final class PipelineFiles {
  private final Path dir;
  private final PipelineLoader loader = new PipelineLoader(FakeStages.registry());

  PipelineFiles(Path dir) {
    this.dir = dir;
  }

  Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  PipelineSpec load(String yaml, LoadOptions options) throws IOException {
    return loader.load(write("pipeline.yaml", yaml), options);
  }

  PipelineSpec load(String yaml) throws IOException {
    return load(yaml, LoadOptions.defaults());
  }

  /** The message of the ConfigException that loading {@code yaml} as pipeline.yaml must throw. */
  String error(String yaml, LoadOptions options) throws IOException {
    Path file = write("pipeline.yaml", yaml);
    return assertThrows(ConfigException.class, () -> loader.load(file, options)).getMessage();
  }

  String error(String yaml) throws IOException {
    return error(yaml, LoadOptions.defaults());
  }

  /** Asserts that {@code message} has a line at {@code file:line:col} that contains every fragment. */
  void assertProblem(String message, String file, int line, int column, String... fragments) {
    String prefix = dir.resolve(file) + ":" + line + ":" + column + ": ";
    for (String problem : message.split("\n")) {
      if (problem.startsWith(prefix) && Arrays.stream(fragments).allMatch(problem::contains)) {
        return;
      }
    }
    throw new AssertionError("no problem at " + prefix + " containing " + List.of(fragments) + " in:\n" + message);
  }
}
