package io.robustcl.cli;

import com.google.inject.Injector;
import io.robustcl.pipeline.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the picocli command tree with Guice-created commands and the exit-code policy. */
final class Commands {

  /** Exit code when a stage failed. */
  static final int FAILED = 1;
  /** Exit code for bad usage or bad config. */
  static final int BAD_INPUT = 2;

  private Commands() {}

  static CommandLine commandLine(Injector injector, PrintWriter out, PrintWriter err) {
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        return cls.getName().startsWith("io.robustcl.") ? injector.getInstance(cls) : CommandLine.defaultFactory().create(cls);
      }
    };
    CommandLine cl = new CommandLine(RootCommand.class, factory);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException || e instanceof UsageException) {
        commandLine.getErr().println("error: " + e.getMessage());
        commandLine.getErr().flush();
        return BAD_INPUT;
      }
      commandLine.getErr().println("error: " + e);
      e.printStackTrace(commandLine.getErr());
      commandLine.getErr().flush();
      return FAILED;
    });
    return cl;
  }

  /** A bad command line that picocli's parser cannot see (e.g. an unknown stage name); exit code 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
