package io.robustcl.pipeline.exec;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.builtin.WriteParamsStage;
import io.robustcl.pipeline.cache.LocalArtifactStore;

/**
 * The engine's bindings: the stage registry ({@code MapBinder<String, Stage>}) with the
 * built-in {@code write-params} type, the in-process {@link StageLauncher}, local artifact
 * stores, GPU detection from the OS, and an empty set of {@link RuntimeVersions}. Stage
 * modules add their types with {@code MapBinder.newMapBinder(binder(), String.class,
 * Stage.class).addBinding("name").to(...)}. No side effects.
 */
public final class EngineModule extends AbstractModule {

  @Override
  protected void configure() {
    MapBinder<String, Stage> stages = MapBinder.newMapBinder(binder(), String.class, Stage.class);
    stages.addBinding(WriteParamsStage.TYPE).to(WriteParamsStage.class);
    Multibinder.newSetBinder(binder(), RuntimeVersions.class);
    MapBinder.newMapBinder(binder(), String.class, StageLauncher.class)
        .addBinding(LaunchSettings.IN_PROCESS).to(InProcessStageLauncher.class);
    bind(ArtifactStores.class).toInstance(LocalArtifactStore::new);
    // a stage module may replace it (robustcl's checks that PyTorch sees the same GPUs)
    OptionalBinder.newOptionalBinder(binder(), GpuCount.class).setDefault().to(SystemGpuCount.class);
  }
}
