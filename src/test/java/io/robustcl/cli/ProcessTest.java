package io.robustcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.pipeline.cache.KeyLock;
import io.robustcl.pipeline.exec.RunOptions;
import io.robustcl.pipeline.exec.RunReport;
import io.robustcl.pipeline.exec.StageStatus;
import io.robustcl.testing.FakeMain;
import io.robustcl.testing.FakeStage;
import io.robustcl.testing.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the CLI in a separate JVM and kills or interrupts it, or races it. */
class ProcessTest {

  static final String CHAIN = """
      stages:
        a: {type: fake, params: {v: 1}}
        b: {type: fake, inputs: {in: [a]}, params: {v: 2, ms: "${b_ms}"}}
        c: {type: fake, inputs: {in: [b]}, params: {v: 3}}
      vars: {b_ms: 0}
      """;

  @TempDir Path tmp;

  Process start(Fixture f, String slowStage, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-D" + FakeStage.SLOW_PROPERTY + "=" + slowStage,
        FakeMain.class.getName(), "run", f.file.toString(), "--cache", f.cache.toString(),
        "--results", tmp.resolve("results").toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  String childLog() throws Exception {
    return Files.readString(tmp.resolve("child.log"));
  }

  @Test
  void aRunKilledWithSigkillLeavesNoArtifactAndTheNextRunRedoesOnlyTheKilledStage() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    Process child = start(f, "b", "--target", "c");
    // b is running once a is committed and b's temporary directory exists
    await("b to start", () -> Files.exists(f.cache.resolve("names/a")) && !f.list("tmp").isEmpty());
    child.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, child.exitValue());
    assertEquals(1, f.list("artifacts").size(), "only a was committed: " + f.list("artifacts"));

    RunReport next = f.run(RunOptions.of("c"));
    assertTrue(next.succeeded());
    assertEquals(List.of("b", "c"), f.stage.ran);
    assertEquals(StageStatus.CACHED, next.outcomes().get("a").status());
  }

  @Test
  void sigtermCancelsCleanlyWithNoTempDirAndNoLockLeft() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    Process child = start(f, "b", "--target", "c");
    await("b to start", () -> Files.exists(f.cache.resolve("names/a")) && !f.list("tmp").isEmpty());
    child.destroy(); // SIGTERM, which runs shutdown hooks just as Ctrl-C (SIGINT) does
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(143, child.exitValue());
    assertTrue(f.list("tmp").isEmpty(), "temporary directories left: " + f.list("tmp"));
    assertTrue(childLog().contains("cancelled b"), childLog());
    assertEquals(1, f.list("artifacts").size());
    String keyOfB = f.run(RunOptions.of("c")).manifest("b").key();
    assertEquals(List.of("b", "c"), f.stage.ran);
    Optional<KeyLock> lock = f.store().tryLock(keyOfB);
    assertTrue(lock.isPresent());
    lock.get().close();
  }

  @Test
  void twoConcurrentRunsOnOneCacheComputeEachKeyOnceAndBothSucceed() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    Process child = start(f, "none", "--target", "c", "--set", "b_ms=1500");
    await("the other run to compute b", () -> Files.exists(f.cache.resolve("names/a")) && !f.list("tmp").isEmpty());
    RunReport mine = f.run(RunOptions.of("c"), "b_ms=1500");
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, child.exitValue(), childLog());
    assertTrue(mine.succeeded());
    assertFalse(f.stage.ran.contains("a"));
    assertFalse(f.stage.ran.contains("b"), "b was computed by the other run; this one waited for its lock");
    assertEquals(StageStatus.CACHED, mine.outcomes().get("b").status());
    // c: whichever run got its lock first computed it, never both
    boolean childComputedC = childLog().contains("done     c");
    assertEquals(!childComputedC, f.stage.ran.contains("c"), childLog());
    assertEquals(3, f.list("artifacts").size());
  }

  @Test
  void twoRunsAtJobs4OnAFanOutDagBothSucceedAndComputeEachKeyOnce() throws Exception {
    // The second file lists the fan-out in reverse, so that each run takes locks the other
    // will want: with blocking fcntl locks the kernel saw a cycle of processes (EDEADLK).
    List<String> fan = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      fan.add("  b" + i + ": {type: fake, inputs: {in: [a]}, params: {v: " + (10 + i) + ", ms: " + (100 + i * 37 % 7 * 40)
          + "}}\n");
    }
    String head = "stages:\n  a: {type: fake, params: {v: 1, ms: 100}}\n";
    String tail = "  c: {type: fake, inputs: {in: [" + String.join(", ", java.util.stream.IntStream.range(0, 16)
        .mapToObj(i -> "b" + i).toList()) + "]}}\n";
    Fixture f = new Fixture(tmp).write(head + String.join("", fan) + tail);
    Path reversed = tmp.resolve("reversed.yaml");
    List<String> backwards = new ArrayList<>(fan);
    java.util.Collections.reverse(backwards);
    Files.writeString(reversed, head + String.join("", backwards) + tail);
    List<Process> runs = new ArrayList<>();
    for (Path file : List.of(f.file, reversed)) {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), FakeMain.class.getName(), "run", file.toString(),
          "--cache", f.cache.toString(), "--results", tmp.resolve("results-" + file.getFileName()).toString(),
          "--target", "c", "--jobs", "4"));
      runs.add(new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(tmp.resolve(file.getFileName() + ".log").toFile()).start());
    }
    for (Process run : runs) {
      assertTrue(run.waitFor(60, TimeUnit.SECONDS));
    }
    String logs = Files.readString(tmp.resolve("pipeline.yaml.log")) + Files.readString(tmp.resolve("reversed.yaml.log"));
    assertEquals(0, runs.get(0).exitValue(), logs);
    assertEquals(0, runs.get(1).exitValue(), logs);
    for (String stage : List.of("a", "b0", "b5", "b10", "b15", "c")) {
      long computed = logs.lines().filter(l -> l.startsWith("  done     " + stage + " ")).count();
      assertEquals(1, computed, stage + " computed once in all:\n" + logs);
    }
    assertEquals(18, f.list("artifacts").size());
  }
}
