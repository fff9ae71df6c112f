package io.robustcl.cli;

import io.robustcl.pipeline.exec.CancelSignal;
import io.robustcl.pipeline.exec.InProcessStageLauncher;
import io.robustcl.pipeline.launch.JobProtocol;
import io.robustcl.pipeline.launch.JobResult;
import io.robustcl.pipeline.launch.StageJob;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline exec-stage --job FILE}: runs exactly one resolved stage, for the process and
 * Slurm launchers. Progress and the failure reason go to standard output as {@link
 * JobProtocol} lines; on success the metrics go to the job's result file. The parent commits.
 * Exit code 0 when the stage succeeded, 1 when it failed, 130 when it was cancelled.
 */
@Command(name = "exec-stage", hidden = true,
    description = "Run one resolved stage from a job file (used by the process and Slurm launchers).")
final class ExecStageCommand implements Callable<Integer> {

  /** How long a cancelled stage may take to abort before the JVM exits anyway. */
  private static final long ABORT_GRACE_SECONDS = 20;

  @Option(names = "--job", required = true, paramLabel = "FILE", description = "the stage job file")
  Path jobFile;

  @Option(names = "--watch-stdin", description = "cancel the stage when standard input closes (the parent died)")
  boolean watchStdin;

  private final InProcessStageLauncher launcher;

  @Inject
  ExecStageCommand(InProcessStageLauncher launcher) {
    this.launcher = launcher;
  }

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    StageJob job;
    try {
      job = StageJob.read(jobFile);
    } catch (IOException | IllegalArgumentException e) {
      JobProtocol.error(out, "cannot read job file " + jobFile + ": " + e.getMessage());
      return Commands.FAILED;
    }
    CancelSignal cancel = new CancelSignal();
    Thread worker = Thread.currentThread();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      cancel.cancel("terminated");
      worker.interrupt();
      awaitQuietly(finished);
    }, "exec-stage-cancel");
    Runtime.getRuntime().addShutdownHook(hook);
    if (watchStdin) {
      watchForParentExit(System.in, cancel, worker);
    }
    try {
      var outcome = launcher.launch(job.toRequest(), JobProtocol.writer(out), cancel);
      new JobResult(outcome.metrics(), outcome.execution().getOrDefault("host", "unknown")).write(job.resultFile());
      return 0;
    } catch (InterruptedException | java.util.concurrent.CancellationException e) {
      JobProtocol.error(out, "cancelled: " + (cancel.reason() != null ? cancel.reason() : "interrupted"));
      return 130;
    } catch (Throwable e) {
      String message = e.getMessage();
      JobProtocol.error(out, message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
      return Commands.FAILED;
    } finally {
      finished.countDown();
    }
  }

  /** The parent holds our stdin open; EOF means it is gone, so nobody would commit our work. */
  private static void watchForParentExit(InputStream in, CancelSignal cancel, Thread worker) {
    Thread watcher = new Thread(() -> {
      try {
        while (in.read() >= 0) {
          // the parent writes nothing; any byte is ignored
        }
      } catch (IOException e) {
        // a broken pipe means the same as EOF
      }
      cancel.cancel("the parent pipeline process exited");
      worker.interrupt();
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(ABORT_GRACE_SECONDS));
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(130);
    }, "exec-stage-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static void awaitQuietly(CountDownLatch finished) {
    try {
      finished.await(ABORT_GRACE_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
