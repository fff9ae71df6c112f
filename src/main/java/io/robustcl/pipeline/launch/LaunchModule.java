package io.robustcl.pipeline.launch;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import io.robustcl.pipeline.exec.StageLauncher;

/**
 * The launchers that run a stage outside the scheduler's JVM: {@code process} (a child JVM per
 * stage) and {@code slurm} (a batch job per stage). Both start {@code mainClass}'s {@code
 * exec-stage} command with this JVM's class path. No side effects.
 */
public final class LaunchModule extends AbstractModule {

  private final String mainClass;

  public LaunchModule(String mainClass) {
    this.mainClass = mainClass;
  }

  @Override
  protected void configure() {
    MapBinder<String, StageLauncher> launchers = MapBinder.newMapBinder(binder(), String.class, StageLauncher.class);
    launchers.addBinding("process").to(ProcessStageLauncher.class);
    launchers.addBinding("slurm").to(SlurmStageLauncher.class);
    bind(SlurmCommands.class).to(SlurmCli.class);
  }

  @Provides
  @Singleton
  ChildJvm childJvm() {
    return ChildJvm.likeThisJvm(mainClass);
  }

  /** One per injector: its queue batches the status polls of all the run's jobs. */
  @Provides
  @Singleton
  SlurmStageLauncher slurmLauncher(ChildJvm jvm, SlurmCommands slurm) {
    return new SlurmStageLauncher(jvm, slurm);
  }
}
