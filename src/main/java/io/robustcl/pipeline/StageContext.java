package io.robustcl.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * What a running stage sees of the engine. One context per stage execution; it is
 * confined to the thread that calls {@link Stage#run} unless a method says otherwise.
 */
public interface StageContext {

  /** The stage's name in the pipeline file, e.g. {@code "pretrain-rocl"}. */
  String stageName();

  /** The stage's key: the hex SHA-256 that names its artifact in the cache. */
  String key();

  /** Fully resolved params: defaults filled in, every declared param present. */
  Params params();

  /**
   * The single artifact wired to {@code port}.
   *
   * @throws IllegalArgumentException if the port is undeclared or takes a list
   */
  Artifact input(String port);

  /** The artifacts wired to {@code port}, in the order the pipeline file lists them; empty if none. */
  List<Artifact> inputs(String port);

  /** Empty directory that becomes the artifact when {@link Stage#run} returns normally. */
  Path outputDir();

  /**
   * Directory for resumable checkpoints, {@code cache/work/<key>/}: it survives a failed or
   * killed attempt and is deleted when the artifact commits.
   */
  Path workDir();

  /**
   * The device the stage should compute on: {@code "cpu"} or {@code "gpu:<index>"}. A stage
   * that declares no GPU resource always gets {@code "cpu"}.
   */
  String device();

  /**
   * Every device the stage holds: {@code ["cpu"]}, or one {@code "gpu:<index>"} per GPU it declared
   * ({@code resources: {gpu: 2}} gives two). {@link #device()} is the first.
   */
  default List<String> devices() {
    return List.of(device());
  }

  /** Records a named scalar metric in the artifact's manifest. Thread-safe. */
  void putMetric(String name, double value);

  /** Reports progress for the live progress line. Thread-safe, cheap, may be called often. */
  void progress(Progress progress);

  /** Writes one line to the run's log, prefixed with the stage name. Thread-safe. */
  void log(String message);

  /** True once the run has been cancelled (Ctrl-C, or fail-fast after another stage failed). */
  boolean isCancelled();

  /** Throws {@link CancellationException} if {@link #isCancelled()}. Call once per step. */
  default void checkCancelled() {
    if (isCancelled()) {
      throw new CancellationException("stage " + stageName() + " cancelled");
    }
  }
}
