package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.config.LoadOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options that say which pipeline file to load and how it resolves (a picocli mixin). */
final class PipelineOptions {

  @Parameters(index = "0", paramLabel = "FILE", defaultValue = "pipelines.yaml", description = "the pipeline file, e.g. pipelines.yaml")
  Path file;

  @Option(names = "--profile", paramLabel = "P", description = "overlay this profile's vars (default: the file's default_profile)")
  @Nullable String profile;

  @Option(names = "--set", paramLabel = "k=v", description = "override var k with the YAML scalar v (repeatable); k=a,b sweeps k (run, plan)")
  List<String> sets = new ArrayList<>();

  // absolute already: the command line's converter resolved it against the command's directory
  @Option(names = "--data-dir", paramLabel = "DIR", description = "shorthand for --set data_dir=<absolute DIR>")
  @Nullable Path dataDir;

  /**
   * The load options, one set per sweep point ({@code --set k=a,b} sweeps k; see {@link Sweep}).
   * A single point (label "") when nothing is swept.
   */
  ImmutableList<Sweep.Point> sweep() {
    ImmutableList.Builder<Sweep.Point> out = ImmutableList.builder();
    for (Sweep.Point point : Sweep.points(LoadOptions.defaults().withProfile(profile), sets)) {
      LoadOptions options = point.options();
      if (dataDir != null) {
        options = options.withVar("data_dir", quoted(dataDir.toString()));
      }
      out.add(new Sweep.Point(point.label(), options));
    }
    return out.build();
  }

  /** The load options of a command that does not sweep. */
  LoadOptions loadOptions() {
    ImmutableList<Sweep.Point> points = sweep();
    if (points.size() > 1) {
      throw new Commands.UsageException("--set with several values sweeps only in `run` and `plan` ("
          + points.size() + " points: " + points.get(0).label() + ", ...); give this command one value");
    }
    return points.get(0).options();
  }

  /** A YAML double-quoted scalar, so that a path is always read as a string. */
  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
