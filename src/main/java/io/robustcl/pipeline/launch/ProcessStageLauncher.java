package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.exec.LaunchOutcome;
import io.robustcl.pipeline.exec.CancelSignal;
import io.robustcl.pipeline.exec.LaunchRequest;
import io.robustcl.pipeline.exec.StageEvents;
import io.robustcl.pipeline.exec.StageLauncher;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Runs each stage in a child JVM ({@code pipeline exec-stage --job FILE}), so a native crash, a
 * CUDA out-of-memory error or a leak ends that stage only. The child gets its own heap and
 * native memory and sees only its GPUs ({@code CUDA_VISIBLE_DEVICES}).
 *
 * <p>The child writes the artifact's files into the request's output directory and its metrics
 * into a result file; this JVM commits, as for an in-process stage. The child watches its
 * standard input: when this process dies, the pipe closes and the child cancels itself, so an
 * orphan never goes on computing work nobody will commit. Cancelling the run terminates the
 * child (SIGTERM, then SIGKILL after a grace period); so does {@code resources.timeout}.
 */
public final class ProcessStageLauncher implements StageLauncher {

  /** Launcher files below the key's work directory. */
  static final String LAUNCH_DIR = "launch";

  private static final Duration TERMINATE_GRACE = Duration.ofSeconds(15);
  private static final long POLL_MILLIS = 100;

  private final ChildJvm jvm;

  @Inject
  public ProcessStageLauncher(ChildJvm jvm) {
    this.jvm = jvm;
  }

  @Override
  public LaunchOutcome launch(LaunchRequest request, StageEvents events, CancelSignal cancel)
      throws Exception {
    Path dir = Files.createDirectories(request.workDir().resolve(LAUNCH_DIR));
    Path result = dir.resolve("result.json");
    Files.deleteIfExists(result);
    deleteCrashLogs(dir);
    DeviceAssignment device = DeviceAssignment.of(request.device());
    Path jobFile = dir.resolve("job.json");
    StageJob.of(request, request.outputDir(), device.childDevice(), result).write(jobFile);

    ProcessBuilder builder = new ProcessBuilder(
        jvm.command(dir, ImmutableList.of("exec-stage", "--job", jobFile.toString(), "--watch-stdin")));
    builder.redirectErrorStream(true);
    if (device.visibleDevices() != null) {
      builder.environment().put("CUDA_VISIBLE_DEVICES", device.visibleDevices());
    }
    Process child = builder.start();
    AtomicReference<@Nullable String> reported = new AtomicReference<>();
    Thread reader = pump(child, request.stageName(), events, reported);
    try {
      waitFor(child, request, cancel);
      reader.join(TimeUnit.SECONDS.toMillis(5));
      int exit = child.exitValue();
      var written = JobResult.read(result);
      if (exit == 0 && written.isPresent()) {
        return new LaunchOutcome(written.get().metrics(), ImmutableSortedMap.of(
            "launcher", "process", "host", written.get().host(), "pid", Long.toString(child.pid())));
      }
      throw new StageProcessFailure(ExitStatus.describe(exit, reported.get(), dir));
    } finally {
      if (child.isAlive()) {
        terminate(child);
      }
      child.getOutputStream().close();
    }
  }

  private static void waitFor(Process child, LaunchRequest request, CancelSignal cancel) throws InterruptedException {
    long deadline = request.resources().timeout() == null ? Long.MAX_VALUE : System.nanoTime() + request.resources().timeout().toNanos();
    while (!child.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
      if (cancel.isCancelled() || Thread.currentThread().isInterrupted()) {
        terminate(child);
        throw new CancellationException(cancel.reason() != null ? cancel.reason() : "interrupted");
      }
      if (System.nanoTime() > deadline) {
        terminate(child);
        throw new StageProcessFailure("timed out after " + request.resources().timeout() + " (resources.timeout); the stage's process was ended");
      }
    }
  }

  /** SIGTERM, so the child can abort and clean up, then SIGKILL if it does not end in time. */
  static void terminate(Process child) {
    child.destroy();
    try {
      if (!child.waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly().waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static Thread pump(Process child, String stageName, StageEvents events, AtomicReference<@Nullable String> reported) {
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          String error = JobProtocol.dispatch(line, stageName, events);
          if (error != null) {
            reported.set(error);
          }
        }
      } catch (IOException e) {
        // the child is gone; its exit code tells the rest
      }
    }, "stage-output-" + stageName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void deleteCrashLogs(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().startsWith("hs_err_pid")) {
          Files.delete(f);
        }
      }
    }
  }
}
