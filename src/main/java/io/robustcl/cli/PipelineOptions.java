package io.robustcl.cli;

import io.robustcl.pipeline.config.LoadOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options that say which pipeline file to load and how it resolves (a picocli mixin). */
final class PipelineOptions {

  @Parameters(index = "0", paramLabel = "FILE", description = "the pipeline file, e.g. pipelines.yaml")
  Path file = Path.of("pipelines.yaml");

  @Option(names = "--profile", paramLabel = "P", description = "overlay this profile's vars (default: the file's default_profile)")
  @Nullable String profile;

  @Option(names = "--set", paramLabel = "k=v", description = "override var k with the YAML scalar v (repeatable)")
  List<String> sets = new ArrayList<>();

  @Option(names = "--data-dir", paramLabel = "DIR", description = "shorthand for --set data_dir=<absolute DIR>")
  @Nullable Path dataDir;

  LoadOptions loadOptions() {
    LoadOptions options = LoadOptions.defaults().withProfile(profile);
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw new Commands.UsageException("--set " + set + ": expected name=value, e.g. --set epochs=5");
      }
      options = options.withVar(set.substring(0, eq).trim(), set.substring(eq + 1));
    }
    if (dataDir != null) {
      options = options.withVar("data_dir", quoted(dataDir.toAbsolutePath().normalize().toString()));
    }
    return options;
  }

  /** A YAML double-quoted scalar, so that a path is always read as a string. */
  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
