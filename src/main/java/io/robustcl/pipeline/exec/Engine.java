package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.inject.Guice;
import com.google.inject.Module;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.config.ConfigException;
import io.robustcl.pipeline.config.LoadOptions;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The engine as a library: load a pipeline file (or build one with {@link PipelineBuilder}),
 * plan it, run it against a cache directory. This is what the CLI does, minus printing
 * results and Ctrl-C handling.
 *
 * <pre>{@code
 * Engine engine = Engine.create(new MyStagesModule());
 * RunReport report = engine.run(engine.load(Path.of("pipelines.yaml")), Path.of("cache"), RunOptions.of("table2"));
 * }</pre>
 */
public final class Engine {

  private final PipelineLoader loader;
  private final PipelineRunner runner;
  private final Planner planner;
  private final ArtifactStores stores;

  @Inject
  public Engine(PipelineLoader loader, PipelineRunner runner, Planner planner, ArtifactStores stores) {
    this.loader = loader;
    this.runner = runner;
    this.planner = planner;
    this.stores = stores;
  }

  /** An engine wired from {@link EngineModule} plus {@code stageModules} (which bind stage types). */
  public static Engine create(Module... stageModules) {
    List<Module> modules = new java.util.ArrayList<>(List.of(new EngineModule()));
    modules.addAll(List.of(stageModules));
    return Guice.createInjector(com.google.inject.Stage.DEVELOPMENT, modules).getInstance(Engine.class);
  }

  /**
   * Loads and validates {@code file} with its default profile.
   *
   * @throws ConfigException listing every problem with file:line:column
   */
  public PipelineSpec load(Path file) {
    return loader.load(file, LoadOptions.defaults());
  }

  /** Loads {@code file} with {@code options} (profile, {@code --set} vars). */
  public PipelineSpec load(Path file, LoadOptions options) {
    return loader.load(file, options);
  }

  /** The loader, for {@link PipelineBuilder#build}. */
  public PipelineLoader loader() {
    return loader;
  }

  /** Runs {@code options.targets()} of {@code spec} against the cache at {@code cacheDir}, quietly. */
  public RunReport run(PipelineSpec spec, Path cacheDir, RunOptions options) {
    return run(spec, cacheDir, options, Writer.nullWriter());
  }

  /** Like {@link #run(PipelineSpec, Path, RunOptions)}, printing per-stage status lines to {@code log}. */
  public RunReport run(PipelineSpec spec, Path cacheDir, RunOptions options, Writer log) {
    ArtifactStore store = stores.open(cacheDir);
    try (ProgressBoard board = new ProgressBoard(new PrintWriter(log, true), false, Duration.ofSeconds(10))) {
      return runner.run(spec, store, new StageNameIndex(cacheDir), options, board, new CancelSignal());
    }
  }

  /** What a run of {@code targets} would do, and why. */
  public ImmutableList<PlanEntry> plan(PipelineSpec spec, Path cacheDir, List<String> targets) {
    return planner.plan(spec, stores.open(cacheDir), new StageNameIndex(cacheDir), targets, ImmutableSet.of());
  }
}
