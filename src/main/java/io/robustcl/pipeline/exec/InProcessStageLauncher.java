package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Stage;
import jakarta.inject.Inject;
import java.util.Map;

/** Runs a stage on the calling thread, in this JVM, with the Guice-bound stage instance. */
public final class InProcessStageLauncher implements StageLauncher {

  private final Map<String, Stage> stages;

  @Inject
  InProcessStageLauncher(Map<String, Stage> stages) {
    this.stages = stages;
  }

  @Override
  public ImmutableMap<String, Double> launch(LaunchRequest request, StageEvents events, CancelSignal cancel)
      throws Exception {
    Stage stage = stages.get(request.stageType());
    if (stage == null) {
      throw new IllegalStateException("no stage type '" + request.stageType() + "' is bound; bound: " + stages.keySet());
    }
    RunningStageContext ctx = new RunningStageContext(request, stage.inputs(), events, cancel);
    stage.run(ctx);
    ctx.checkCancelled();
    return ctx.metrics();
  }
}
