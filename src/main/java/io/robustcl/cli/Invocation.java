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
 * @param console whether stdin and stdout are a terminal, {@code System.console() != null} (the progress
 *     board redraws in place)
 * @param ansi whether picocli colours usage help and errors
 * @param exitIfComputing the launcher's probe: exit with this code before anything computes
 *     (see {@link RunCommand#EXIT_IF_COMPUTING}), null for a normal run
 * @param cancel cancels a run (Ctrl-C in the client, or the JVM's shutdown)
 */
public record Invocation(boolean debug, @Nullable String columns, boolean console, boolean ansi,
    @Nullable Integer exitIfComputing, CancelSignal cancel) {

  /** This JVM's own environment, console and {@code -Drobustcl.exitIfComputing}. */
  @Inject
  public Invocation() {
    this("1".equals(System.getenv("ROBUSTCL_DEBUG")), System.getenv("COLUMNS"), System.console() != null,
        picocli.CommandLine.Help.Ansi.AUTO.enabled(), probeCode(System.getProperty(RunCommand.EXIT_IF_COMPUTING)),
        new CancelSignal());
  }

  /**
   * Another process's command line: {@code env} is its environment, {@code console} whether it has
   * a terminal.
   */
  public static Invocation of(java.util.Map<String, String> env, boolean console, @Nullable Integer exitIfComputing,
      CancelSignal cancel) {
    return new Invocation("1".equals(env.get("ROBUSTCL_DEBUG")), env.get("COLUMNS"), console, ansi(env, console),
        exitIfComputing, cancel);
  }

  /**
   * What picocli's {@code Ansi.AUTO} (4.7.5) decides on Linux for a process with {@code env} and
   * {@code console}: never with {@code NO_COLOR}; always with {@code CLICOLOR_FORCE} other than 0;
   * else on a terminal unless {@code CLICOLOR=0} or {@code ConEmuANSI=OFF}. (Its Windows rules do
   * not apply; {@code -Dpicocli.ansi} is one of the JVM options the daemon's and the client's
   * environments must agree on.)
   */
  static boolean ansi(java.util.Map<String, String> env, boolean console) {
    if (env.get("NO_COLOR") != null) {
      return false;
    }
    String force = env.get("CLICOLOR_FORCE");
    if (force != null && !force.equals("0")) {
      return true;
    }
    return !"0".equals(env.get("CLICOLOR")) && !"OFF".equals(env.get("ConEmuANSI")) && console;
  }

  private static @Nullable Integer probeCode(@Nullable String value) {
    return value == null ? null : Integer.valueOf(value);
  }
}
