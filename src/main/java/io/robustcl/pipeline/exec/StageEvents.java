package io.robustcl.pipeline.exec;

import io.robustcl.pipeline.Progress;

/** Where a running stage's progress reports and log lines go. Implementations are thread-safe. */
public interface StageEvents {

  /** The latest progress of stage {@code stageName}. Called often; must be cheap. */
  void progress(String stageName, Progress progress);

  /** One log line of stage {@code stageName}. */
  void log(String stageName, String message);

  /** Events that go nowhere. */
  static StageEvents none() {
    return new StageEvents() {
      @Override
      public void progress(String stageName, Progress progress) {}

      @Override
      public void log(String stageName, String message) {}
    };
  }
}
