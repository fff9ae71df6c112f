package io.robustcl.testing;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.robustcl.cli.Main;
import io.robustcl.pipeline.exec.EngineModule;
import java.io.PrintWriter;

/** The CLI with the fake stage type bound, for tests that run it in a separate JVM. */
public final class FakeMain {

  private FakeMain() {}

  public static void main(String[] args) {
    Injector injector = Guice.createInjector(new EngineModule(), new FakeStagesModule(new FakeStage()));
    PrintWriter out = new PrintWriter(System.out, true);
    int code = Main.execute(injector, out, new PrintWriter(System.err, true), args);
    out.flush();
    System.exit(code);
  }
}
