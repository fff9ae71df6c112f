package io.robustcl.cli;

import com.google.inject.Injector;
import io.robustcl.pipeline.cache.IoProblems;
import io.robustcl.pipeline.WorkingDirectory;
import io.robustcl.pipeline.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Builds the picocli command tree with Guice-created commands and the exit-code policy.
 *
 * <p>Every failure reaches the user as one line (several for a config error: one per
 * problem) saying what failed, where, and how to fix it; never a stack trace or an exception
 * class name, unless {@code --debug} (anywhere on the command line) or {@code
 * ROBUSTCL_DEBUG=1} asks for the trace.
 */
final class Commands {

  /** Exit code when a stage failed. */
  static final int FAILED = 1;
  /** Exit code for bad usage or bad config. */
  static final int BAD_INPUT = 2;
  /** The flag that shows stack traces. */
  static final String DEBUG = "--debug";

  private Commands() {}

  /**
   * Runs {@code args}: strips {@value #DEBUG}, rejects an unknown command whatever follows it
   * (picocli would otherwise honour a later {@code --help} and exit 0), then executes.
   */
  static int execute(Injector injector, PrintWriter out, PrintWriter err, boolean debugFromEnv, String... args) {
    List<String> rest = new ArrayList<>();
    boolean debug = debugFromEnv;
    for (String arg : args) {
      if (arg.equals(DEBUG)) {
        debug = true;
      } else {
        rest.add(arg);
      }
    }
    CommandLine cl = commandLine(injector, out, err, debug);
    Optional<String> unknown = unknownCommand(cl, rest);
    if (unknown.isPresent()) {
      err.println("error: " + unknown.get());
      err.flush();
      return BAD_INPUT;
    }
    return cl.execute(rest.toArray(String[]::new));
  }

  /** The problem with the command name in {@code args}, if the first word is not a command. */
  static Optional<String> unknownCommand(CommandLine cl, List<String> args) {
    if (args.isEmpty() || args.get(0).startsWith("-")) {
      return Optional.empty(); // the root's own options (--help, --version) or nothing
    }
    String name = args.get(0);
    if (cl.getSubcommands().containsKey(name)) {
      return Optional.empty();
    }
    List<String> known = cl.getSubcommands().values().stream().map(CommandLine::getCommandName).distinct().toList();
    String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
    return Optional.of("unknown command '" + shown + "'" + io.robustcl.pipeline.config.ClosestName.suggestion(name, known)
        + "; commands: " + String.join(", ", known) + " (pipeline --help lists them)");
  }

  static CommandLine commandLine(Injector injector, PrintWriter out, PrintWriter err, boolean debug) {
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        return cls.getName().startsWith("io.robustcl.") ? injector.getInstance(cls) : CommandLine.defaultFactory().create(cls);
      }
    };
    CommandLine cl = new CommandLine(RootCommand.class, factory);
    ((RootCommand) cl.getCommandSpec().userObject()).debug = debug;
    // every path on the command line, and every default path, is the command's own directory's
    // (the tool daemon serves commands from any directory; see WorkingDirectory)
    WorkingDirectory workDir = injector.getInstance(WorkingDirectory.class);
    cl.registerConverter(Path.class, workDir::resolve);
    // picocli would ask this JVM's terminal and environment; the daemon's are not the command's
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(injector.getInstance(Invocation.class).ansi()
        ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter to = commandLine.getErr();
      out.flush();
      if (debug) {
        e.printStackTrace(to);
      }
      if (e instanceof ConfigException || e instanceof UsageException) {
        to.println("error: " + e.getMessage());
        to.flush();
        return BAD_INPUT;
      }
      to.println("error: " + oneLine(e) + (debug || expected(e) ? "" : " (run with --debug for the stack trace)"));
      to.flush();
      return FAILED;
    });
    return cl;
  }

  /** Failures of the environment (disk, permissions, paths, a damaged cache): not bugs. */
  private static boolean expected(Throwable e) {
    return e instanceof UncheckedIOException || e instanceof IOException || e instanceof InvalidPathException
        || e instanceof io.robustcl.pipeline.cache.ManifestFormatException || e instanceof OutOfMemoryError;
  }

  /** {@code e} as one line for a user: its message, never its class name unless it has none. */
  static String oneLine(Throwable e) {
    String message;
    if (e instanceof UncheckedIOException u) {
      message = u.getMessage() != null ? u.getMessage() : IoProblems.describe(u.getCause());
    } else if (e instanceof IOException io) {
      message = IoProblems.describe(io);
    } else if (e instanceof InvalidPathException p) {
      message = "bad path '" + p.getInput().replace("\0", "\\0") + "': " + p.getReason() + "; fix the path";
    } else if (e instanceof OutOfMemoryError) {
      message = "out of memory; give the JVM more with ROBUSTCL_JAVA_OPTS=-Xmx16g, or use a smaller profile";
    } else if (expected(e)) {
      message = String.valueOf(e.getMessage());
    } else {
      message = "internal error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    String first = message.lines().findFirst().orElse(message);
    return first.length() > 2000 ? first.substring(0, 2000) + "..." : first;
  }

  /** A bad command line that picocli's parser cannot see (e.g. an unknown stage name); exit code 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
