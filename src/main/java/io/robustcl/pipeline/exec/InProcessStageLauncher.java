package io.robustcl.pipeline.exec;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.Stage;
import jakarta.inject.Inject;
import java.util.Map;

/** Runs a stage on the calling thread, in this JVM, with the Guice-bound stage instance. */
public final class InProcessStageLauncher implements StageLauncher {

  private final Map<String, Stage> stages;
  private final Supplier<String> host = Suppliers.memoize(LaunchOutcome::hostName);

  @Inject
  InProcessStageLauncher(Map<String, Stage> stages) {
    this.stages = stages;
  }

  @Override
  public LaunchOutcome launch(LaunchRequest request, StageEvents events, CancelSignal cancel)
      throws Exception {
    Stage stage = stages.get(request.stageType());
    if (stage == null) {
      throw new IllegalStateException("no stage type '" + request.stageType() + "' is bound; bound: " + stages.keySet());
    }
    RunningStageContext ctx = new RunningStageContext(request, stage.inputs(), events, cancel);
    stage.run(ctx);
    ctx.checkCancelled();
    return new LaunchOutcome(ctx.metrics(), ImmutableSortedMap.of("launcher", LaunchSettings.IN_PROCESS, "host", host.get()));
  }
}
