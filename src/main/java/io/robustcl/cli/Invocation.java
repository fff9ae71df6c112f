package io.robustcl.cli;

import io.robustcl.pipeline.exec.CancelSignal;
import jakarta.inject.Inject;
import org.jspecify.annotations.Nullable;

/**
 * What one command line sees of the process that asked for it, besides its arguments and its
 * {@link io.robustcl.pipeline.WorkingDirectory}: the environment variables the CLI reads, whether
 * stdout is a terminal, the launcher's probe flag, and the signal that cancels the command.
 *
 * <p>A JVM per command takes them from itself ({@link #Invocation()}, the default binding). The
 * tool daemon ({@code io.robustcl.cli.daemon}) binds the client's instead, so nothing that can run
 * there reads {@code System.getenv}, {@code System.console()} or {@code System.getProperty}.
 *
 * @param debug {@code ROBUSTCL_DEBUG=1}: stack traces with error messages
 * @param columns the value of {@code COLUMNS} (the progress board's width), null when unset
 * @param console whether stdout is a terminal (the progress board redraws in place)
 * @param exitIfComputing the launcher's probe: exit with this code before anything computes
 *     (see {@link RunCommand#EXIT_IF_COMPUTING}), null for a normal run
 * @param cancel cancels a run (Ctrl-C in the client, or the JVM's shutdown)
 */
public record Invocation(boolean debug, @Nullable String columns, boolean console, @Nullable Integer exitIfComputing,
    CancelSignal cancel) {

  /** This JVM's own environment, console and {@code -Drobustcl.exitIfComputing}. */
  @Inject
  public Invocation() {
    this("1".equals(System.getenv("ROBUSTCL_DEBUG")), System.getenv("COLUMNS"), System.console() != null,
        probeCode(System.getProperty(RunCommand.EXIT_IF_COMPUTING)), new CancelSignal());
  }

  private static @Nullable Integer probeCode(@Nullable String value) {
    return value == null ? null : Integer.valueOf(value);
  }
}
