package io.robustcl.testing;

import static org.mockito.Mockito.spy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.robustcl.cli.Main;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.LocalArtifactStore;
import io.robustcl.pipeline.config.LoadOptions;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.exec.CancelSignal;
import io.robustcl.pipeline.exec.EngineModule;
import io.robustcl.pipeline.exec.PipelineRunner;
import io.robustcl.pipeline.exec.ProgressBoard;
import io.robustcl.pipeline.exec.RunOptions;
import io.robustcl.pipeline.exec.RunReport;
import io.robustcl.pipeline.exec.StageNameIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A temporary project for engine tests: a pipeline file, a cache, and an injector built from
 * the engine module plus a Mockito spy of {@link FakeStage}.
 */
public final class Fixture {

  public final Path dir;
  public final Path file;
  public final Path cache;
  /** A Mockito spy of a {@link FakeStage}, bound as stage type {@code fake}. */
  public final FakeStage stage = spy(new FakeStage());
  public final Injector injector = Guice.createInjector(new EngineModule(), new FakeStagesModule(stage));
  public final StringWriter lastOut = new StringWriter();
  public final StringWriter lastErr = new StringWriter();

  public Fixture(Path dir) {
    this.dir = dir;
    this.file = dir.resolve("pipeline.yaml");
    this.cache = dir.resolve("cache");
  }

  /** Writes the pipeline file. */
  public Fixture write(String yaml) {
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public PipelineSpec load(String... sets) {
    LoadOptions options = LoadOptions.defaults();
    for (String set : sets) {
      int eq = set.indexOf('=');
      options = options.withVar(set.substring(0, eq), set.substring(eq + 1));
    }
    return injector.getInstance(PipelineLoader.class).load(file, options);
  }

  public ArtifactStore store() {
    return new LocalArtifactStore(cache);
  }

  /** Runs through the engine API (not the CLI) and returns the report; clears the fake's records first. */
  public RunReport run(RunOptions options, String... sets) {
    return run(options, store(), sets);
  }

  /** {@link #run(RunOptions, String...)} against {@code store} (e.g. one that counts its calls). */
  public RunReport run(RunOptions options, ArtifactStore store, String... sets) {
    stage.ran.clear();
    stage.events.clear();
    StringWriter sink = new StringWriter();
    try (ProgressBoard board = new ProgressBoard(new PrintWriter(sink), false, Duration.ofSeconds(10))) {
      return injector.getInstance(PipelineRunner.class)
          .run(load(sets), store, new StageNameIndex(cache), options, board, new CancelSignal());
    }
  }

  public RunReport run(String target, String... sets) {
    return run(RunOptions.of(target), sets);
  }

  /** Runs the CLI in-process; output in {@link #lastOut} and {@link #lastErr}. */
  public int cli(String... args) {
    stage.ran.clear();
    lastOut.getBuffer().setLength(0);
    lastErr.getBuffer().setLength(0);
    return Main.execute(injector, new PrintWriter(lastOut, true), new PrintWriter(lastErr, true), args);
  }

  public String out() {
    return lastOut.toString();
  }

  public String err() {
    return lastErr.toString();
  }

  /** Names of the directories in {@code cache/<sub>}, sorted. */
  public List<String> list(String sub) {
    Path d = cache.resolve(sub);
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
