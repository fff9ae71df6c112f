package io.robustcl.pipeline;

import java.util.List;

/**
 * A stage type: a pure function from declared params and input artifacts to an output
 * artifact. Implementations are bound by name through Guice
 * ({@code MapBinder<String, Stage>}) and must hold no mutable state: the engine may run the
 * same instance for several stages at once, on several threads.
 *
 * <p>Only {@link #run} is abstract, so a stage can be a lambda-bodied class in Kotlin or
 * Java. Everything else describes the stage to the engine and has a default.
 *
 * <h2>Contract of {@link #run}</h2>
 * <ul>
 *   <li>Read params with {@link StageContext#params()} and inputs with
 *       {@link StageContext#input}/{@link StageContext#inputs}; write every output file
 *       below {@link StageContext#outputDir()} and every metric through
 *       {@link StageContext#putMetric}. Nothing else is part of the artifact.
 *   <li>Outputs must be a deterministic function of params, inputs and the seed the stage
 *       takes from its params: the engine keys artifacts by these and never re-runs a
 *       stage whose key it has cached.
 *   <li>Returning normally commits the artifact atomically. Throwing discards everything
 *       written to {@code outputDir()}; files in {@link StageContext#workDir()} survive so
 *       that the next attempt can resume from a checkpoint.
 *   <li>Long stages call {@link StageContext#checkCancelled()} at least once per step and
 *       never swallow {@link InterruptedException} or {@link java.util.concurrent.CancellationException}.
 * </ul>
 *
 * <p>Bump {@link #version()} whenever the computation changes in a way that changes
 * outputs: the version is part of every key, so bumping it invalidates the cache for this
 * stage type and everything downstream.
 */
@FunctionalInterface
public interface Stage {

  /** Computes the artifact. See the class Javadoc for the contract. */
  void run(StageContext ctx) throws Exception;

  /** Part of every key of this stage type; bump it when outputs change. Default 1. */
  default int version() {
    return 1;
  }

  /** One line on what the stage computes, shown by {@code pipeline stages}. */
  default String doc() {
    return "";
  }

  /** The params this stage accepts; any other param in a pipeline file is an error. */
  default List<ParamSpec> params() {
    return List.of();
  }

  /** The input ports; an input wired to an undeclared port is an error. */
  default List<InputPort> inputs() {
    return List.of();
  }

  /**
   * The kind of artifact this stage produces, e.g. {@code "dataset"} or {@code "model"};
   * input ports accept artifacts by kind. Default {@code "files"}.
   */
  default String outputKind() {
    return "files";
  }

  /**
   * Files or directories outside the cache that {@link #run} reads, e.g. a dataset directory
   * named by a param. The engine folds a fingerprint of them (every regular file below each
   * path: relative path and the SHA-256 of its bytes, as DVC does) into the key, so editing,
   * adding or removing such a file reruns the stage, and touching or copying it does not. The
   * store memoizes each file's digest by its identity, so a cached run reads a file only once
   * after it changed. Called before every run, including fully cached ones, so it must be cheap
   * and must not read file contents itself. A relative path in a param is resolved against the
   * command's {@link WorkingDirectory} (inject it), never the JVM's: the tool daemon serves
   * commands from other directories. Default: none.
   */
  default List<java.nio.file.Path> externalInputs(Params params) {
    return List.of();
  }

  /**
   * Checks that go beyond one param's type and range (a path that must exist, a value that
   * must match another). Called before anything runs; each returned string is one problem,
   * phrased as what is wrong and how to fix it, naming the param. Default: none.
   */
  default List<String> validate(Params params) {
    return List.of();
  }
}
