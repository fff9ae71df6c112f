package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.robustcl.ml.device.GpuMath;
import io.robustcl.pipeline.WorkingDirectory;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.pipeline.exec.CancelSignal;
import io.robustcl.pipeline.exec.DeviceMode;
import io.robustcl.pipeline.exec.LaunchSettings;
import io.robustcl.pipeline.exec.PipelineRunner;
import io.robustcl.pipeline.exec.PlanEntry;
import io.robustcl.pipeline.exec.Planner;
import io.robustcl.pipeline.exec.ProgressBoard;
import io.robustcl.pipeline.exec.ResultsPublisher;
import io.robustcl.pipeline.exec.RunOptions;
import io.robustcl.pipeline.exec.RunReport;
import io.robustcl.pipeline.exec.StageNameIndex;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline run FILE --target T...}: builds the targets, reusing every cached stage. */
@Command(name = "run", description = "Build targets: run what is not cached, in dependency order.")
final class RunCommand implements java.util.concurrent.Callable<Integer> {

  /**
   * Set by {@code ./pipeline}, which starts every run with the JVM flags of a short tool: when a
   * stage must compute, exit with this code before anything runs, and the launcher restarts the run
   * with the flags of a long computation (see the launcher's comments).
   */
  static final String EXIT_IF_COMPUTING = "robustcl.exitIfComputing";

  @Spec CommandSpec spec;
  @Mixin PipelineOptions pipeline;
  @Mixin CacheOption cache;

  @Option(names = {"--target", "-t"}, required = true, paramLabel = "T", arity = "1..*",
      description = "target or stage name to build (repeatable)")
  List<String> targets = new ArrayList<>();

  @Option(names = {"--jobs", "-j"}, paramLabel = "N", description = "stages to run at once (default: ${DEFAULT-VALUE})")
  int jobs = 1;

  @Option(names = "--gpus", paramLabel = "N", description = "GPU slots (default: detected)")
  @Nullable Integer gpus;

  @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "device for stages that declare GPUs (default: ${DEFAULT-VALUE})")
  String device = "auto";

  @Option(names = "--dry-run", description = "print what would run and why; run nothing")
  boolean dryRun;

  @Option(names = "--stats", description = "print load and run times and heap use to stderr (for bench/engine.sh)")
  boolean stats;

  @Option(names = "--force", paramLabel = "STAGE", description = "rerun STAGE even if cached (repeatable)")
  List<String> forced = new ArrayList<>();

  @Option(names = "--keep-going", description = "after a failure, keep running stages that do not depend on it")
  boolean keepGoing;

  @Option(names = "--cudnn-benchmark",
      description = "let cuDNN time its convolution algorithms and keep the fastest: faster on a GPU, but reruns are"
          + " not bit-identical (default: off)")
  boolean cudnnBenchmark;

  @Option(names = "--no-tf32",
      description = "full FP32 instead of TF32 on Ampere and newer GPUs (NVIDIA_TF32_OVERRIDE=0, set by ./pipeline)")
  boolean noTf32;
  @Option(names = "--verify-inputs",
      description = "re-hash every cached artifact the run reuses before trusting it; a corrupt one is quarantined and rebuilt")
  boolean verifyInputs;

  @Option(names = "--launcher", paramLabel = "in-process|process|slurm",
      description = "where stages compute: this JVM, a child JVM per stage, or a Slurm job per stage (default: ${DEFAULT-VALUE})")
  String launcher = LaunchSettings.IN_PROCESS;

  @Option(names = "--slurm-opt", paramLabel = "FLAG",
      description = "extra sbatch flag for every job, e.g. --slurm-opt=--partition=gpu (repeatable)")
  List<String> slurmOptions = new ArrayList<>();

  @Option(names = "--results", paramLabel = "DIR", defaultValue = "results",
      description = "where targets' files are copied (default: ${DEFAULT-VALUE}; a sweep point's into DIR/<k=v>)")
  Path results;

  @Option(names = "--no-report", description = "do not write the HTML report (by default <results>/report/ when a target has a table or an evaluate stage)")
  boolean noReport;

  private final PipelineLoader loader;
  private final PipelineRunner runner;
  private final Planner planner;
  private final ArtifactStores stores;
  private final Invocation invocation;
  private final WorkingDirectory workDir;

  @Inject
  RunCommand(PipelineLoader loader, PipelineRunner runner, Planner planner, ArtifactStores stores,
      Invocation invocation, WorkingDirectory workDir) {
    this.workDir = workDir;
    this.loader = loader;
    this.runner = runner;
    this.planner = planner;
    this.stores = stores;
    this.invocation = invocation;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    DeviceMode mode = switch (device) {
      case "auto" -> DeviceMode.AUTO;
      case "cpu" -> DeviceMode.CPU;
      case "gpu" -> DeviceMode.GPU;
      default -> throw new Commands.UsageException("--device " + device + ": expected auto, cpu or gpu");
    };
    if (jobs < 1) {
      throw new Commands.UsageException("--jobs " + jobs + ": expected at least 1");
    }
    if (gpus != null && gpus < 0) {
      throw new Commands.UsageException("--gpus " + gpus + ": expected at least 0");
    }
    if (noTf32 && !GpuMath.tf32Disabled()) {
      throw new Commands.UsageException("--no-tf32: NVIDIA_TF32_OVERRIDE=0 must be in the environment before the JVM"
          + " starts; ./pipeline sets it for --no-tf32, or export it yourself");
    }
    if (cudnnBenchmark) {
      GpuMath.enableCudnnBenchmark(); // read when PyTorch starts, i.e. by the first stage that computes
    }
    ArtifactStore store = stores.open(cache.dir());
    StageNameIndex index = new StageNameIndex(cache.dir());
    RunOptions options = new RunOptions(
        ImmutableList.copyOf(targets), jobs, gpus, mode, ImmutableSet.copyOf(forced), keepGoing,
        new LaunchSettings(launcher, ImmutableList.copyOf(slurmOptions)), verifyInputs);
    RunStats timing = new RunStats();
    ImmutableList<Sweep.Point> points = pipeline.sweep();
    // every point is loaded first, so that a bad value fails before anything runs
    List<PipelineSpec> specs = new ArrayList<>();
    for (Sweep.Point point : points) {
      specs.add(loader.load(pipeline.file, point.options()));
    }
    timing.mark("load");
    Integer computeExit = invocation.exitIfComputing();
    if (computeExit != null && !dryRun) {
      for (PipelineSpec point : specs) {
        if (planner.plan(point, store, index, targets, ImmutableSet.copyOf(forced)).stream().anyMatch(PlanEntry::willRun)) {
          return computeExit; // ./pipeline starts the run again with the JVM flags of a long computation
        }
      }
    }
    for (int i = 0; i < points.size(); i++) {
      Sweep.Point point = points.get(i);
      if (points.size() > 1) {
        out.printf("== sweep point %d/%d: %s ==%n", i + 1, points.size(), point.label());
      }
      if (dryRun) {
        PlanCommand.print(planner.plan(specs.get(i), store, index, targets, ImmutableSet.copyOf(forced)), targets, out);
        continue;
      }
      int code = runOnce(specs.get(i), store, index, options, points.size() > 1 ? results.resolve(point.label()) : results);
      if (code != 0) {
        return code;
      }
    }
    timing.mark(dryRun ? "plan" : "run");
    if (stats) {
      timing.print(spec.commandLine().getErr());
    }
    return 0;
  }

  /** One run of {@code pipelineSpec}, its targets' files published into {@code resultsDir}; the exit code. */
  private int runOnce(PipelineSpec pipelineSpec, ArtifactStore store, StageNameIndex index, RunOptions options,
      Path resultsDir) {
    PrintWriter out = spec.commandLine().getOut();
    CancelSignal cancel = invocation.cancel();
    CountDownLatch finished = new CountDownLatch(1);
    // Ctrl-C: cancel, then hold the JVM until running stages have aborted, removed their
    // temporary directories and released their locks
    Thread hook = new Thread(() -> {
      cancel.cancel("interrupted (Ctrl-C)");
      try {
        finished.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "pipeline-cancel");
    Runtime.getRuntime().addShutdownHook(hook);
    RunReport report;
    ProgressBoard board = new ProgressBoard(out, invocation.console(), Duration.ofSeconds(10),
        ProgressBoard.terminalWidth(invocation.columns()))
        .showTraces(RootCommand.debug(spec));
    try (board) {
      board.start();
      report = runner.run(pipelineSpec, store, index, options, board, cancel);
      board.note(report.summary());
    } finally {
      finished.countDown();
      removeHook(hook);
    }
    if (!report.succeeded()) {
      report.failures().forEach((stage, error) -> spec.commandLine().getErr().println("stage " + stage + " failed: " + error));
      spec.commandLine().getErr().flush();
      return report.cancelReason() != null && report.failures().isEmpty() ? 130 : Commands.FAILED;
    }
    ResultsPublisher.publish(report, store, resultsDir, out);
    // a table, or an evaluate stage (the papers' sweep figures, e.g. --target ascl-fig6): the report shows them
    if (!noReport && report.outcomes().keySet().stream().map(n -> pipelineSpec.stage(n).type())
        .anyMatch(type -> type.equals("table") || type.equals("evaluate"))) {
      writeReport(pipelineSpec, store, report, resultsDir, out);
    }
    return 0;
  }

  /** The HTML report of the run's targets into {@code <results>/report/}; a failure here does not fail the run. */
  private void writeReport(
      PipelineSpec pipelineSpec, ArtifactStore store, RunReport report, Path resultsDir, PrintWriter out) {
    java.util.Map<String, String> lastRun = new java.util.HashMap<>();
    report.outcomes().forEach((name, outcome) -> lastRun.put(name, outcome.status().name().toLowerCase()));
    try {
      io.robustcl.report.ReportSource source = Reports.source(pipelineSpec, planner, store, cache.dir(), targets,
          lastRun, Reports.buildCommand(pipeline, cache.dir(), targets, workDir));
      Path index = new io.robustcl.report.HtmlReport("dot", io.robustcl.report.HostFacts.ofThisMachine())
          .write(source, resultsDir.resolve("report"));
      out.println("report: " + index);
    } catch (java.io.IOException | RuntimeException e) {
      out.println("report: not written (" + e.getMessage() + "); the tables are in " + resultsDir);
    }
    out.flush();
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down (Ctrl-C): the hook is running and will return
    }
  }
}
