package io.robustcl.testing;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.robustcl.pipeline.Stage;

/** Binds {@code stage} as stage type {@value FakeStage#TYPE}. */
public final class FakeStagesModule extends AbstractModule {

  private final Stage stage;

  public FakeStagesModule(Stage stage) {
    this.stage = stage;
  }

  @Override
  protected void configure() {
    MapBinder.newMapBinder(binder(), String.class, Stage.class).addBinding(FakeStage.TYPE).toInstance(stage);
  }
}
