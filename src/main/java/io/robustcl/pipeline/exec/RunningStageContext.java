package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.StageContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The {@link StageContext} of one in-process stage execution. */
final class RunningStageContext implements StageContext {

  private final LaunchRequest request;
  private final List<InputPort> ports;
  private final StageEvents events;
  private final CancelSignal cancel;
  private final Map<String, Double> metrics = new TreeMap<>();

  RunningStageContext(LaunchRequest request, List<InputPort> ports, StageEvents events, CancelSignal cancel) {
    this.request = request;
    this.ports = ports;
    this.events = events;
    this.cancel = cancel;
  }

  @Override
  public String stageName() {
    return request.stageName();
  }

  @Override
  public String key() {
    return request.key();
  }

  @Override
  public Params params() {
    return request.params();
  }

  @Override
  public Artifact input(String port) {
    InputPort declared = port(port);
    if (declared.list()) {
      throw new IllegalArgumentException(
          "stage " + stageName() + ": port '" + port + "' takes a list; use inputs(\"" + port + "\")");
    }
    List<Artifact> wired = inputs(port);
    if (wired.size() != 1) {
      throw new IllegalArgumentException(
          "stage " + stageName() + ": port '" + port + "' has " + wired.size() + " inputs wired, not 1");
    }
    return wired.get(0);
  }

  @Override
  public List<Artifact> inputs(String port) {
    port(port);
    return request.inputs().getOrDefault(port, ImmutableList.of());
  }

  private InputPort port(String name) {
    for (InputPort port : ports) {
      if (port.name().equals(name)) {
        return port;
      }
    }
    throw new IllegalArgumentException("stage " + stageName() + " has no input port '" + name + "'");
  }

  @Override
  public Path outputDir() {
    return request.outputDir();
  }

  @Override
  public Path workDir() {
    return request.workDir();
  }

  @Override
  public String device() {
    return request.devices().get(0);
  }

  @Override
  public List<String> devices() {
    return request.devices();
  }

  @Override
  public synchronized void putMetric(String name, double value) {
    metrics.put(name, value);
  }

  synchronized ImmutableMap<String, Double> metrics() {
    return ImmutableMap.copyOf(metrics);
  }

  @Override
  public void progress(Progress progress) {
    events.progress(stageName(), progress);
  }

  @Override
  public void log(String message) {
    events.log(stageName(), message);
  }

  @Override
  public boolean isCancelled() {
    return cancel.isCancelled() || Thread.currentThread().isInterrupted();
  }
}
