package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Stage;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads and validates a pipeline file against the registered stage types.
 *
 * <p>Safe YAML only (no tags beyond the YAML core schema, bounded aliases and size), then
 * vars, profiles, {@code --set}, presets ({@code extends:}), param typing with defaults and
 * ranges, input wiring, targets and cycles. All problems of a file are reported together.
 */
public final class PipelineLoader {

  private final ImmutableMap<String, Stage> stageTypes;

  /** @param stageTypes the stage registry (the Guice {@code MapBinder<String, Stage>} map) */
  @Inject
  public PipelineLoader(Map<String, Stage> stageTypes) {
    this.stageTypes = ImmutableMap.copyOf(stageTypes);
  }

  /**
   * Loads {@code file}.
   *
   * @throws ConfigException listing every problem, each with file:line:column
   */
  public PipelineSpec load(Path file, LoadOptions options) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
