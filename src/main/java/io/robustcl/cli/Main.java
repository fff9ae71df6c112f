package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.robustcl.pipeline.exec.EngineModule;
import io.robustcl.pipeline.launch.LaunchModule;
import io.robustcl.stages.StagesModule;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The {@code pipeline} command line. This is the one place where Guice is bootstrapped: the
 * injector is built from {@link #modules()} in {@code Stage.DEVELOPMENT}, so singletons are
 * created lazily and a fully cached run constructs (and loads) no ML code.
 */
public final class Main {

  private Main() {}

  /**
   * The modules of the production injector: the engine and every stage module. To add the
   * ML stage types, add {@code new io.robustcl.stages.StagesModule()} here.
   */
  public static ImmutableList<Module> modules() {
    return ImmutableList.of(new EngineModule(), new LaunchModule(Main.class.getName()), new StagesModule());
  }

  public static void main(String[] args) {
    Injector injector = Guice.createInjector(com.google.inject.Stage.DEVELOPMENT, modules());
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = execute(injector, out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs one command line with the commands and stage types of {@code injector}, printing to
   * {@code out} and {@code err}. Returns the exit code: 0 ok, 1 a stage failed (or {@code
   * verify} found corruption), 2 bad usage or bad config. {@code --debug} anywhere, or {@code
   * ROBUSTCL_DEBUG=1} in the {@link Invocation}, adds stack traces to error messages.
   */
  public static int execute(Injector injector, PrintWriter out, PrintWriter err, String... args) {
    return Commands.execute(injector, out, err, injector.getInstance(Invocation.class).debug(), args);
  }
}
