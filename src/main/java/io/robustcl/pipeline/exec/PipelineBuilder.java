package io.robustcl.pipeline.exec;

import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Builds a pipeline in code. The result is written as an ordinary pipeline file and loaded
 * by the {@link PipelineLoader}, so a built pipeline is validated, keyed and explained
 * exactly like a hand-written one, and the file can be inspected or rerun with the CLI.
 *
 * <pre>{@code
 * PipelineSpec spec = new PipelineBuilder()
 *     .stage("data", "dataset", s -> s.param("seed", 0))
 *     .stage("train", "pretrain", s -> s.input("data", "data").param("epochs", 2))
 *     .target("main", "train")
 *     .build(engine.loader(), Path.of("build/pipeline.yaml"));
 * }</pre>
 *
 * <p>Param values are YAML-able Java values: strings, numbers, booleans, lists and maps.
 */
public final class PipelineBuilder {

  private final Map<String, Object> vars = new LinkedHashMap<>();
  private final Map<String, Object> stages = new LinkedHashMap<>();
  private final Map<String, Object> targets = new LinkedHashMap<>();

  /** One stage being described. */
  public static final class StageBuilder {
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final Map<String, Object> inputs = new LinkedHashMap<>();
    private int gpus;

    /** Sets param {@code name}; {@code "${var}"} refers to a var. */
    public StageBuilder param(String name, Object value) {
      params.put(name, value);
      return this;
    }

    /** Wires port {@code port} to one stage. */
    public StageBuilder input(String port, String stage) {
      inputs.put(port, stage);
      return this;
    }

    /** Wires list port {@code port} to several stages, in order. */
    public StageBuilder inputs(String port, List<String> stageNames) {
      inputs.put(port, List.copyOf(stageNames));
      return this;
    }

    /** Declares {@code resources: {gpu: n}}. */
    public StageBuilder gpus(int n) {
      gpus = n;
      return this;
    }
  }

  /** Declares var {@code name} with a default value. */
  public PipelineBuilder variable(String name, Object value) {
    vars.put(name, value);
    return this;
  }

  /** Adds stage {@code name} of {@code type}, described by {@code body}. */
  public PipelineBuilder stage(String name, String type, Consumer<StageBuilder> body) {
    StageBuilder b = new StageBuilder();
    body.accept(b);
    Map<String, Object> stage = new LinkedHashMap<>();
    stage.put("type", type);
    if (!b.params.isEmpty()) {
      stage.put("params", b.params);
    }
    if (!b.inputs.isEmpty()) {
      stage.put("inputs", b.inputs);
    }
    if (b.gpus > 0) {
      stage.put("resources", Map.of("gpu", b.gpus));
    }
    stages.put(name, stage);
    return this;
  }

  /** Declares target {@code name} building {@code stageNames}. */
  public PipelineBuilder target(String name, String... stageNames) {
    targets.put(name, List.of(stageNames));
    return this;
  }

  /** The pipeline file text. */
  public String toYaml() {
    Map<String, Object> root = new LinkedHashMap<>();
    if (!vars.isEmpty()) {
      root.put("vars", vars);
    }
    root.put("stages", stages);
    if (!targets.isEmpty()) {
      root.put("targets", targets);
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(root);
  }

  /**
   * Writes the pipeline to {@code file} and loads it.
   *
   * @throws io.robustcl.pipeline.config.ConfigException if it is invalid, naming {@code file}'s lines
   */
  public PipelineSpec build(PipelineLoader loader, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, toYaml(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return loader.load(file, io.robustcl.pipeline.config.LoadOptions.defaults());
  }
}
