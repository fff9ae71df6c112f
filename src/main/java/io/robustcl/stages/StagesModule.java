package io.robustcl.stages;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.robustcl.ml.device.GpuMath;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.exec.GpuCount;
import io.robustcl.pipeline.exec.RuntimeVersions;

/**
 * Contributes every stage type of robustcl to the engine's {@code MapBinder<String, Stage>}.
 * Free of side effects: stage constructors never touch DJL.
 */
public final class StagesModule extends AbstractModule {

  @Override
  protected void configure() {
    MapBinder<String, Stage> stages = MapBinder.newMapBinder(binder(), String.class, Stage.class);
    stages.addBinding("dataset").to(DatasetStage.class);
    stages.addBinding("pretrain").to(PretrainStage.class);
    stages.addBinding("linear-eval").toInstance(LinearEvalStage.clean());
    stages.addBinding("robust-linear-eval").toInstance(LinearEvalStage.robust());
    stages.addBinding("fine-tune").to(FineTuneStage.class);
    stages.addBinding("transfer").to(TransferStage.class);
    stages.addBinding("attack").to(AttackStage.class);
    stages.addBinding("evaluate").to(EvaluateStage.class);
    stages.addBinding("black-box").to(BlackBoxStage.class);
    stages.addBinding("table").to(TableStage.class);
    OptionalBinder.newOptionalBinder(binder(), GpuCount.class).setBinding().to(CheckedGpuCount.class);
    Multibinder.newSetBinder(binder(), RuntimeVersions.class).addBinding().toInstance(GpuMath::settings);
  }
}
