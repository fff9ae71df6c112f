package io.robustcl.stages;

import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.StageContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link StageContext} over fixed params, inputs and directories, recording metrics and progress. */
final class FakeStageContext implements StageContext {

  final Params params;
  final Map<String, List<Artifact>> inputs;
  final Path outputDir;
  final Path workDir;
  final Map<String, Double> metrics = new ConcurrentHashMap<>();
  final List<Progress> progress = new ArrayList<>();
  final List<String> logs = new java.util.concurrent.CopyOnWriteArrayList<>();

  FakeStageContext(Params params, Map<String, List<Artifact>> inputs, Path root) {
    this(params, inputs, root.resolve("out"), root.resolve("work"));
  }

  FakeStageContext(Params params, Map<String, List<Artifact>> inputs, Path outputDir, Path workDir) {
    this.params = params;
    this.inputs = new LinkedHashMap<>(inputs);
    this.outputDir = outputDir;
    this.workDir = workDir;
    try {
      java.nio.file.Files.createDirectories(outputDir);
      java.nio.file.Files.createDirectories(workDir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public String stageName() {
    return "under-test";
  }

  @Override
  public String key() {
    return "0".repeat(64);
  }

  @Override
  public Params params() {
    return params;
  }

  @Override
  public Artifact input(String port) {
    List<Artifact> list = inputs.get(port);
    if (list == null || list.size() != 1) {
      throw new IllegalArgumentException("port " + port + " has " + list);
    }
    return list.get(0);
  }

  @Override
  public List<Artifact> inputs(String port) {
    return inputs.getOrDefault(port, List.of());
  }

  @Override
  public Path outputDir() {
    return outputDir;
  }

  @Override
  public Path workDir() {
    return workDir;
  }

  @Override
  public String device() {
    return "cpu";
  }

  @Override
  public void putMetric(String name, double value) {
    metrics.put(name, value);
  }

  @Override
  public synchronized void progress(Progress p) {
    progress.add(p);
  }

  @Override
  public void log(String message) {
    logs.add(message);
  }

  @Override
  public boolean isCancelled() {
    return false;
  }
}
