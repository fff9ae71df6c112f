package io.robustcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.collect.ImmutableList;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.robustcl.pipeline.cache.LocalArtifactStore;
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
import io.robustcl.pipeline.launch.ChildJvm;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm launcher against a real Slurm: the single-node cluster of
 * {@code scripts/slurm-test-cluster.sh}, which {@code .ci/run} starts. Skipped, with a message,
 * when no cluster answers ({@code SLURM_CONF} unset or {@code sinfo} failing).
 */
class SlurmLauncherTest {

  @TempDir Path tmp;
  final Injector injector = Guice.createInjector(Main.modules());
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeAll
  static void clusterAnswers() throws Exception {
    boolean up = System.getenv("SLURM_CONF") != null && exec(List.of("sinfo", "-h")).code == 0;
    assumeTrue(up, "no Slurm test cluster: run `scripts/slurm-test-cluster.sh start` and "
        + "`eval \"$(scripts/slurm-test-cluster.sh env)\"` (as root; installs slurmctld slurmd slurm-client munge)");
  }

  record Exec(int code, String output) {}

  static Exec exec(List<String> command) throws Exception {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Exec(p.waitFor(), text);
    } catch (java.io.IOException e) {
      return new Exec(127, e.getMessage());
    }
  }

  int cli(Path file, Path cache, String... extra) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    List<String> args = new ArrayList<>(List.of("run", file.toString(), "--cache", cache.toString(),
        "--results", tmp.resolve("results").toString(), "--launcher", "slurm"));
    args.addAll(List.of(extra));
    return Main.execute(injector, new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
  }

  Path write(String yaml) throws Exception {
    Path file = tmp.resolve("p-" + System.nanoTime() + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  static String jobOf(Path cache, String stage) throws Exception {
    var m = new LocalArtifactStore(cache).lookup(Files.readString(cache.resolve("names/" + stage)).trim()).orElseThrow();
    return m.execution().get("slurm_job_id");
  }

  @Test
  void aDagRunsAsSlurmJobsEqualToTheInProcessBuildAndIsThenCached() throws Exception {
    Path file = write(ProcessLauncherTest.DAG);
    assertEquals(0, cli(file, tmp.resolve("c1"), "--target", "all", "--jobs", "3"), out + "\n" + err);
    assertTrue(out.toString().contains("3 stages: 0 cached, 3 done"), out.toString());
    List<String> jobs = new ArrayList<>();
    for (String stage : List.of("a", "b", "c")) {
      String job = jobOf(tmp.resolve("c1"), stage);
      assertTrue(job != null && job.matches("\\d+"), stage + " ran as a Slurm job: " + job);
      jobs.add(job);
    }
    assertEquals(3, jobs.stream().distinct().count(), "one job per stage: " + jobs);
    assertEquals(0, Main.execute(injector, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        "run", file.toString(), "--cache", tmp.resolve("c2").toString(), "--target", "all",
        "--results", tmp.resolve("r2").toString()));
    assertEquals(ProcessLauncherTest.contentHashes(tmp.resolve("c2")).keySet(),
        ProcessLauncherTest.contentHashes(tmp.resolve("c1")).keySet());
    assertEquals(ProcessLauncherTest.contentHashes(tmp.resolve("c2")).values().stream().sorted().toList(),
        ProcessLauncherTest.contentHashes(tmp.resolve("c1")).values().stream().sorted().toList());
    assertEquals(0, cli(file, tmp.resolve("c1"), "--target", "all"), err.toString());
    assertTrue(out.toString().contains("3 stages: 3 cached, 0 done"), out.toString());
  }

  @Test
  void aFailingJobFailsTheRunWithTheStagesReasonAndTheJobsLog() throws Exception {
    Path file = write("stages:\n  bad: {type: write-params, params: {fail: true}}\n");
    assertEquals(1, cli(file, tmp.resolve("c"), "--target", "bad"));
    assertTrue(err.toString().matches("(?s).*Slurm job \\d+ on \\S+ .*fails because its param fail is true.*"), err.toString());
    assertTrue(err.toString().contains("slurm-"), "names the job's log: " + err);
  }

  @Test
  void aJobOverItsTimeLimitFailsWithTimeout() throws Exception {
    Path file = write("stages:\n  slow: {type: write-params, params: {sleep_ms: 300000}}\n");
    // Slurm's smallest limit is a minute
    assertEquals(1, cli(file, tmp.resolve("c"), "--target", "slow", "--slurm-opt=--time=1"));
    assertTrue(err.toString().contains("TIMEOUT"), err.toString());
  }

  @Test
  void cancellingTheRunCancelsItsJobs() throws Exception {
    Path file = write("stages:\n  slow: {type: write-params, params: {sleep_ms: 600000}}\n");
    Path cache = tmp.resolve("c");
    CancelSignal cancel = new CancelSignal();
    var spec = injector.getInstance(PipelineLoader.class).load(file, LoadOptions.defaults());
    RunOptions options = RunOptions.of("slow").withLaunch(new LaunchSettings("slurm", ImmutableList.of()));
    CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> {
      try (ProgressBoard board = new ProgressBoard(new PrintWriter(new StringWriter()), false, Duration.ofSeconds(10))) {
        return injector.getInstance(PipelineRunner.class)
            .run(spec, new LocalArtifactStore(cache), new StageNameIndex(cache), options, board, cancel);
      }
    });
    String job = awaitRunningJob(cache);
    cancel.cancel("test");
    assertEquals(StageStatus.CANCELLED, run.get(60, TimeUnit.SECONDS).outcomes().get("slow").status());
    assertTrue(awaitState(job, "CANCELLED"), "job " + job + " is cancelled: " + exec(List.of("squeue", "-h", "-t", "all")).output);
  }

  @Test
  void aPipelineProcessEndedBySigtermCancelsItsJobsOnTheWayOut() throws Exception {
    Path file = write("stages:\n  slow: {type: write-params, params: {sleep_ms: 600000, n: 3}}\n");
    Path cache = tmp.resolve("c");
    Process parent = startPipelineProcess(file, cache, "slow");
    String job = awaitRunningJob(cache);
    parent.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook cancels the run
    assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "the pipeline process exits");
    // the JVM reports 128 + SIGTERM, whatever the hook does
    assertEquals(143, parent.exitValue(), Files.readString(tmp.resolve("parent.log")));
    assertTrue(awaitState(job, "CANCELLED"), "job " + job + " was cancelled: " + exec(List.of("squeue", "-h", "-t", "all")).output);
  }

  @Test
  void aRerunAfterTheParentWasKilledWaitsForTheRunningJobInsteadOfResubmitting() throws Exception {
    Path file = write("stages:\n  slow: {type: write-params, params: {sleep_ms: 8000, n: 7}}\n");
    Path cache = tmp.resolve("c");
    Process parent = startPipelineProcess(file, cache, "slow");
    String job = awaitRunningJob(cache);
    parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no chance to scancel
    assertTrue(awaitState(job, "RUNNING"), "the job outlives its killed parent");

    assertEquals(0, cli(file, cache, "--target", "slow"), out + "\n" + err);
    assertTrue(out.toString().contains("waiting for Slurm job " + job + ", submitted by an earlier run"), out.toString());
    assertEquals(job, jobOf(cache, "slow"), "the artifact is the adopted job's");
  }

  @Test
  void table2OnMicroThroughChildProcessesAndSlurmEqualsTheInProcessTable() throws Exception {
    assumeTrue(Files.isRegularFile(Path.of("pipelines.yaml")), "run from the project root");
    ChildJvm jvm = ChildJvm.likeThisJvm(Main.class.getName());
    List<String> tables = new ArrayList<>();
    for (String launcher : List.of("in-process", "process", "slurm")) {
      // one PyTorch thread: RoCL's pre-training is bit-reproducible only then (README)
      List<String> command = new ArrayList<>(jvm.command(tmp, List.of("run", "pipelines.yaml", "--profile", "micro",
          "--target", "table2", "--device", "cpu", "--cache", tmp.resolve("cache-" + launcher).toString(),
          "--results", tmp.resolve("results-" + launcher).toString(), "--launcher", launcher, "--jobs", "2")));
      command.add(1, "-Dai.djl.pytorch.num_threads=1");
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(tmp.resolve(launcher + ".log").toFile()).start();
      assertTrue(p.waitFor(15, TimeUnit.MINUTES), launcher + " run finished");
      assertEquals(0, p.exitValue(), Files.readString(tmp.resolve(launcher + ".log")));
      tables.add(Files.readString(tmp.resolve("results-" + launcher + "/table2/table.json")));
    }
    assertEquals(tables.get(0), tables.get(1), "process launcher");
    assertEquals(tables.get(0), tables.get(2), "Slurm launcher");
  }

  /** A {@code pipeline run --launcher slurm} in a JVM of its own, its output in {@code parent.log}. */
  private Process startPipelineProcess(Path file, Path cache, String target) throws Exception {
    ChildJvm jvm = ChildJvm.likeThisJvm(Main.class.getName());
    return new ProcessBuilder(jvm.command(tmp, List.of("run", file.toString(), "--cache", cache.toString(),
        "--results", tmp.resolve("r").toString(), "--target", target, "--launcher", "slurm")))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("parent.log").toFile()).start();
  }

  private static String awaitRunningJob(Path cache) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try (var works = Files.exists(cache.resolve("work")) ? Files.list(cache.resolve("work")) : java.util.stream.Stream.<Path>empty()) {
        for (Path w : (Iterable<Path>) works::iterator) {
          Path marker = w.resolve("launch/slurm-job");
          if (Files.isRegularFile(marker)) {
            String job = Files.readString(marker).trim();
            if (awaitState(job, "RUNNING", Duration.ZERO)) {
              return job;
            }
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no Slurm job started within 120 s: " + exec(List.of("squeue", "-h", "-t", "all")).output);
  }

  private static boolean awaitState(String job, String state) throws Exception {
    return awaitState(job, state, Duration.ofSeconds(30));
  }

  private static boolean awaitState(String job, String state, Duration patience) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    do {
      Exec q = exec(List.of("squeue", "-h", "-t", "all", "-j", job, "-o", "%T"));
      if (q.output.trim().equals(state)) {
        return true;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return false;
  }
}
