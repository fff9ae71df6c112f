package io.robustcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.testing.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every user-facing failure is one line saying what, where and how to fix it; no stack trace
 * and no exception class name unless --debug asks (issue 12 item 7, issue 15 item 4).
 */
class UserErrorsTest {

  static final String PIPELINE = """
      stages:
        a: {type: fake, params: {v: 1}}
        b: {type: fake, inputs: {in: [a]}, params: {v: 2}}
      """;

  @TempDir Path tmp;

  private static void assertOneLineNoTrace(String err) {
    assertEquals(1, err.lines().count(), "one line:\n" + err);
    assertFalse(err.contains("\tat "), err);
    assertFalse(err.matches("(?s).*\\b[A-Z][A-Za-z]*(Exception|Error)\\b.*"), "no exception class names: " + err);
  }

  private String[] run(Fixture f, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "run", f.file.toString(), "--cache", f.cache.toString(), "--results", tmp.resolve("results").toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void anUnknownCommandExitsTwoWithTheClosestOneWhateverFollows() {
    Fixture f = new Fixture(tmp).write(PIPELINE);
    assertEquals(2, f.cli("rnu", "--help"));
    assertTrue(f.err().startsWith("error: unknown command 'rnu' (did you mean 'run'?)"), f.err());
    assertOneLineNoTrace(f.err());
    assertEquals("", f.out(), "no help printed for an unknown command");
    assertEquals(2, f.cli("frobnicate"));
    assertTrue(f.err().contains("unknown command 'frobnicate'"), f.err());
    assertEquals(0, f.cli("--help"), "the root's own help still works");
  }

  @Test
  void aCachePathThatIsAFileIsAUsageError() throws Exception {
    Fixture f = new Fixture(tmp).write(PIPELINE);
    Files.writeString(f.cache, "not a directory");
    assertEquals(2, f.cli(run(f, "--target", "b")));
    assertTrue(f.err().contains("--cache " + f.cache + " is a file, not a directory"), f.err());
    assertOneLineNoTrace(f.err());
  }

  @Test
  void aFileMissingFromACachedArtifactAtPublishTimeIsOneLineAndDebugShowsTheTrace() throws Exception {
    Fixture f = new Fixture(tmp).write(PIPELINE);
    assertEquals(0, f.cli(run(f, "--target", "b")), f.err());
    String key = f.list("artifacts").stream()
        .filter(k -> Files.exists(f.cache.resolve("artifacts").resolve(k).resolve("out.txt")))
        .filter(k -> readQuietly(f.cache.resolve("artifacts").resolve(k).resolve("out.txt")).equals("v=2"))
        .findFirst().orElseThrow();
    Files.delete(f.cache.resolve("artifacts").resolve(key).resolve("out.txt"));
    Files.writeString(tmp.resolve("results/.b.keys"), "stale");

    assertEquals(1, f.cli(run(f, "--target", "b")));
    assertTrue(f.err().contains("out.txt") && f.err().contains("is missing; run `pipeline verify`"), f.err());
    assertOneLineNoTrace(f.err());

    assertEquals(1, f.cli(run(f, "--target", "b", "--debug")));
    assertTrue(f.err().contains("\tat "), "--debug shows the trace: " + f.err());
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void aFailingStageIsReportedWithoutItsExceptionClass() throws Exception {
    Fixture f = new Fixture(tmp).write(PIPELINE);
    f.stage.failOnce.add("b");
    assertEquals(1, f.cli(run(f, "--target", "b")));
    assertTrue(f.err().contains("stage b failed: fake failure of b"), f.err());
    assertOneLineNoTrace(f.err());
    assertFalse(f.out().contains("IllegalStateException"), f.out());
  }

  @Test
  void nonUtf8AndNulBytesInAPipelineFileAreReportedAtTheirLine() throws Exception {
    Fixture f = new Fixture(tmp).write(PIPELINE);
    byte[] latin1 = "stages:\n  a: {type: fake, params: {v: 1}}\n  # caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    Files.write(f.file, latin1);
    assertEquals(2, f.cli(run(f, "--target", "a")));
    assertTrue(f.err().startsWith("error: " + f.file + ":3:8: byte 0xe9 is not UTF-8"), f.err());
    assertOneLineNoTrace(f.err());

    f.write("stages:\n  a: {type: fake, params: {v: 1, out: \"x\\0y\"}}\n");
    assertEquals(2, f.cli(run(f, "--target", "a")));
    assertTrue(f.err().startsWith("error: " + f.file + ":2:"), f.err());
    assertTrue(f.err().contains("control character"), f.err());
  }

  @Test
  void showPrintsTheDeviceNameAndTheVersionsTheMlSideBinds() throws Exception {
    Fixture f = new Fixture(tmp).write(PIPELINE);
    com.google.inject.Injector injector = com.google.inject.Guice.createInjector(
        new io.robustcl.pipeline.exec.EngineModule(), new io.robustcl.testing.FakeStagesModule(f.stage),
        binder -> com.google.inject.multibindings.Multibinder.newSetBinder(binder, io.robustcl.pipeline.exec.RuntimeVersions.class)
            .addBinding().toInstance(() -> java.util.Map.of("djl", "0.25.0", "pytorch", "2.0.1", "pytorch_flavor", "cu118")));
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    assertEquals(0, Main.execute(injector, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
        run(f, "--target", "b")), err.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, Main.execute(injector, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
        "show", "b", "--cache", f.cache.toString()), err.toString());
    assertTrue(out.toString().contains("pytorch 2.0.1 (cu118)"), out.toString());
    assertTrue(out.toString().contains("djl 0.25.0"), out.toString());
    String model = Files.lines(Path.of("/proc/cpuinfo")).filter(l -> l.startsWith("model name")).findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(null);
    if (model != null) {
      assertTrue(out.toString().contains(" on cpu (" + model + ")"), out.toString());
    }
  }
}
