package io.robustcl.pipeline.launch;

/** A stage that ran outside this JVM failed; the message is the one-line reason, naming the log. */
public final class StageProcessFailure extends RuntimeException {

  public StageProcessFailure(String message) {
    super(message);
  }
}
