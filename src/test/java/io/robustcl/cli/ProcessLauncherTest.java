package io.robustcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.robustcl.pipeline.cache.LocalArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.config.LoadOptions;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.exec.CancelSignal;
import io.robustcl.pipeline.exec.LaunchSettings;
import io.robustcl.pipeline.exec.PipelineRunner;
import io.robustcl.pipeline.exec.ProgressBoard;
import io.robustcl.pipeline.exec.RunOptions;
import io.robustcl.pipeline.exec.RunReport;
import io.robustcl.pipeline.exec.StageNameIndex;
import io.robustcl.pipeline.exec.StageStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process launcher against the real CLI: every stage in a child JVM, with the same
 * artifacts as in-process, and a child's crash, kill or cancellation mapped to the stage.
 */
class ProcessLauncherTest {

  static final String DAG = """
      stages:
        a: {type: write-params, params: {n: 1, sleep_ms: 50}}
        b: {type: write-params, params: {n: 2}}
        c: {type: write-params, inputs: {after: [a, b]}, params: {n: 3, x: 0.5, md: "| c | 3 |"}}
      targets:
        all: c
      """;

  @TempDir Path tmp;
  final Injector injector = Guice.createInjector(Main.modules());
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int cli(Path file, Path cache, String... extra) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    List<String> args = new java.util.ArrayList<>(List.of("run", file.toString(), "--cache", cache.toString(),
        "--results", tmp.resolve("results").toString()));
    args.addAll(List.of(extra));
    return Main.execute(injector, new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
  }

  Path write(String name, String yaml) throws Exception {
    Path file = tmp.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  static Map<String, String> contentHashes(Path cache) throws Exception {
    Map<String, String> hashes = new TreeMap<>();
    LocalArtifactStore store = new LocalArtifactStore(cache);
    try (var keys = Files.list(cache.resolve("artifacts"))) {
      for (Path dir : (Iterable<Path>) keys::iterator) {
        Manifest m = store.lookup(dir.getFileName().toString()).orElseThrow();
        hashes.put(m.stageName() + "@" + m.key(), m.contentHash() + " " + m.metrics());
      }
    }
    return hashes;
  }

  @Test
  void aDagBuiltInChildProcessesEqualsTheInProcessBuildAndIsThenCached() throws Exception {
    Path file = write("p.yaml", DAG);
    assertEquals(0, cli(file, tmp.resolve("c1"), "--target", "all", "--launcher", "process", "--jobs", "2"), err.toString());
    assertTrue(out.toString().contains("3 stages: 0 cached, 3 done"), out.toString());
    assertEquals(0, cli(file, tmp.resolve("c2"), "--target", "all"), err.toString());
    assertEquals(contentHashes(tmp.resolve("c2")), contentHashes(tmp.resolve("c1")));
    assertEquals(0, cli(file, tmp.resolve("c1"), "--target", "all", "--launcher", "process"), err.toString());
    assertTrue(out.toString().contains("3 stages: 3 cached, 0 done"), out.toString());
  }

  @Test
  void aStageThatThrowsFailsWithItsOwnMessage() throws Exception {
    Path file = write("p.yaml", "stages:\n  bad: {type: write-params, params: {fail: true}}\n");
    assertEquals(1, cli(file, tmp.resolve("c"), "--target", "bad", "--launcher", "process"));
    assertTrue(err.toString().contains("fails because its param fail is true"), err.toString());
    assertFalse(Files.exists(tmp.resolve("c/artifacts")) && Files.list(tmp.resolve("c/artifacts")).findAny().isPresent());
  }

  @Test
  void aChildKilledBySigkillFailsItsStageNamingTheSignalAndCommitsNothing() throws Exception {
    Path file = write("p.yaml", "stages:\n  k: {type: write-params, params: {crash: sigkill}}\n");
    assertEquals(1, cli(file, tmp.resolve("c"), "--target", "k", "--launcher", "process"));
    assertTrue(err.toString().contains("killed by SIGKILL"), err.toString());
    assertTrue(!Files.exists(tmp.resolve("c/artifacts")) || Files.list(tmp.resolve("c/artifacts")).findAny().isEmpty());
  }

  @Test
  void aNativeCrashInTheChildIsNamedWithItsCrashLog() throws Exception {
    Path file = write("p.yaml", "stages:\n  s: {type: write-params, params: {crash: segfault}}\n");
    assertEquals(1, cli(file, tmp.resolve("c"), "--target", "s", "--launcher", "process"));
    assertTrue(err.toString().contains("crashed in native code"), err.toString());
    assertTrue(err.toString().contains("hs_err_pid"), err.toString());
  }

  @Test
  void aHungChildIsEndedAtItsTimeout() throws Exception {
    Path file = write("p.yaml", "stages:\n  hung: {type: write-params, params: {sleep_ms: 600000}, resources: {timeout: 3s}}\n");
    assertEquals(1, cli(file, tmp.resolve("c"), "--target", "hung", "--launcher", "process"));
    assertTrue(err.toString().contains("timed out after 3 s (resources.timeout)"), err.toString());
    assertTrue(children().isEmpty(), "the hung child is gone");
  }

  @Test
  void cancellingTheRunEndsItsChildProcesses() throws Exception {
    Path file = write("p.yaml", "stages:\n  slow: {type: write-params, params: {sleep_ms: 600000}}\n");
    Path cache = tmp.resolve("c");
    CancelSignal cancel = new CancelSignal();
    var spec = injector.getInstance(PipelineLoader.class).load(file, LoadOptions.defaults());
    RunOptions options = RunOptions.of("slow").withLaunch(new LaunchSettings("process", com.google.common.collect.ImmutableList.of()));
    StringWriter sink = new StringWriter();
    CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> {
      try (ProgressBoard board = new ProgressBoard(new PrintWriter(sink), false, Duration.ofSeconds(10))) {
        return injector.getInstance(PipelineRunner.class)
            .run(spec, new LocalArtifactStore(cache), new StageNameIndex(cache), options, board, cancel);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (children().isEmpty() && !run.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    if (run.isDone()) {
      throw new AssertionError("the run ended before its child was seen: " + run.get().outcomes() + "\n" + sink);
    }
    assertFalse(children().isEmpty(), "the child JVM started within 120 s: " + sink);
    cancel.cancel("test");
    RunReport report = run.get(60, TimeUnit.SECONDS);
    assertEquals(StageStatus.CANCELLED, report.outcomes().get("slow").status());
    assertTrue(children().isEmpty(), "no exec-stage child outlives the cancelled run");
  }

  @Test
  void aChildWhosePipelineProcessDiesCancelsItself() throws Exception {
    Path file = write("p.yaml", "stages:\n  slow: {type: write-params, params: {sleep_ms: 600000}}\n");
    var jvm = io.robustcl.pipeline.launch.ChildJvm.likeThisJvm(Main.class.getName());
    Process parent = new ProcessBuilder(jvm.command(tmp, List.of("run", file.toString(), "--cache",
        tmp.resolve("c").toString(), "--target", "slow", "--launcher", "process")))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("parent.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<ProcessHandle> orphans = List.of();
    while (orphans.isEmpty() && System.nanoTime() < deadline) {
      orphans = parent.descendants().filter(p -> p.info().arguments()
          .map(a -> List.of(a).contains("exec-stage")).orElse(false)).toList();
      Thread.sleep(50);
    }
    assertFalse(orphans.isEmpty(), "the child started");
    parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: the parent cannot end its child
    ProcessHandle child = orphans.get(0);
    assertTrue(child.onExit().completeOnTimeout(null, 60, TimeUnit.SECONDS).get() != null && !child.isAlive(),
        "the orphaned child saw its stdin close and exited");
  }

  private List<ProcessHandle> children() {
    return ProcessHandle.current().descendants()
        .filter(p -> arguments(p).contains("exec-stage"))
        .filter(ProcessHandle::isAlive)
        .toList();
  }

  /**
   * The process's arguments. ProcessHandle.Info gives none for a command line over about 4 KB
   * (a child JVM's -cp with the test classpath is longer), so read /proc where it is.
   */
  private static List<String> arguments(ProcessHandle p) {
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    if (Files.isReadable(cmdline)) {
      try {
        return List.of(Files.readString(cmdline).split("\0"));
      } catch (java.io.IOException e) {
        return List.of();
      }
    }
    return p.info().arguments().map(List::of).orElse(List.of());
  }
}
