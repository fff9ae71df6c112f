package io.robustcl.stages;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.robustcl.pipeline.Stage;

/**
 * Contributes every stage type of robustcl to the engine's {@code MapBinder<String, Stage>}.
 * Free of side effects: stage constructors never touch DJL.
 */
public final class StagesModule extends AbstractModule {

  @Override
  protected void configure() {
    MapBinder<String, Stage> stages = MapBinder.newMapBinder(binder(), String.class, Stage.class);
    stages.addBinding("table").to(TableStage.class);
  }
}
