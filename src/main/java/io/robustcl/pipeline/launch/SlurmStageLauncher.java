package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.exec.LaunchOutcome;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import io.robustcl.pipeline.config.StageResources;
import io.robustcl.pipeline.exec.CancelSignal;
import io.robustcl.pipeline.exec.LaunchRequest;
import io.robustcl.pipeline.exec.StageEvents;
import io.robustcl.pipeline.exec.StageLauncher;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Runs each stage that must compute as one Slurm batch job: {@code sbatch} a script that runs
 * {@code exec-stage} on the job's node against the cache on the shared filesystem. The stage's
 * {@code resources} become {@code --gres=gpu:N}, {@code --cpus-per-task}, {@code --mem} and
 * {@code --time}; the run's {@code --slurm-opt} flags (partition, account, ...) follow.
 *
 * <p>Ordering stays in the scheduler (a job is submitted when its inputs are committed), so no
 * {@code afterok} dependencies are used: a failed dependency would leave its dependants pending
 * forever, and the early cut-off needs each key computed from its inputs' content.
 *
 * <p>Status: one {@code squeue} for all jobs of the run per poll ({@link SlurmQueue}), with
 * polls backing off from 0.2 s to 5 s. A job that left the queue is judged by the exit file its
 * script writes into the key's work directory and the child's {@link JobResult}, and its final
 * state by {@code sacct} or {@code scontrol}, so the launcher works without accounting.
 *
 * <p>The job writes into {@code work/<key>/launch/out/} and records its id there; a later run
 * that finds the job still queued or running (its own parent was killed) waits for that job
 * instead of submitting the key again, and takes its output when it completes. Cancelling the
 * run {@code scancel}s its jobs.
 */
public final class SlurmStageLauncher implements StageLauncher {

  private static final Duration FIRST_POLL = Duration.ofMillis(200);
  private static final Duration MAX_POLL = Duration.ofSeconds(5);
  /** How long a finished job's exit file may take to appear (shared filesystems cache attributes). */
  private static final Duration EXIT_FILE_GRACE = Duration.ofSeconds(30);

  private final ChildJvm jvm;
  private final SlurmCommands slurm;
  private final SlurmQueue queue;

  public SlurmStageLauncher(ChildJvm jvm, SlurmCommands slurm) {
    this.jvm = jvm;
    this.slurm = slurm;
    this.queue = new SlurmQueue(slurm, FIRST_POLL);
  }

  @Override
  public LaunchOutcome launch(LaunchRequest request, StageEvents events, CancelSignal cancel)
      throws Exception {
    Path dir = Files.createDirectories(request.workDir().resolve(ProcessStageLauncher.LAUNCH_DIR));
    Path marker = dir.resolve("slurm-job");
    Path out = dir.resolve("out");
    Path result = dir.resolve("result.json");
    String jobId = adoptable(marker, result).orElse(null);
    if (jobId != null) {
      events.log(request.stageName(), "waiting for Slurm job " + jobId + ", submitted by an earlier run");
    } else {
      jobId = submit(request, dir, out, result, marker);
      events.log(request.stageName(), "submitted as Slurm job " + jobId);
    }
    LogTail log = new LogTail(dir.resolve("slurm-" + jobId + ".out"));
    try {
      SlurmJobState last = awaitEnd(jobId, request, events, cancel, log);
      log.drain(request.stageName(), events);
      Optional<Integer> exit = readExit(dir.resolve("exit-" + jobId), last);
      var written = JobResult.read(result);
      if (exit.isPresent() && exit.get() == 0 && written.isPresent()) {
        moveContents(out, request.outputDir());
        Files.deleteIfExists(marker);
        return new LaunchOutcome(written.get().metrics(), ImmutableSortedMap.of(
            "launcher", "slurm", "host", written.get().host(), "node", last.node(), "slurm_job_id", jobId));
      }
      Files.deleteIfExists(marker);
      throw new StageProcessFailure(reason(jobId, last, exit, log));
    } finally {
      queue.forget(jobId);
    }
  }

  private SlurmJobState awaitEnd(String jobId, LaunchRequest request, StageEvents events, CancelSignal cancel, LogTail log)
      throws IOException, InterruptedException {
    Duration wait = FIRST_POLL;
    try {
      while (true) {
        if (cancel.isCancelled() || Thread.currentThread().isInterrupted()) {
          throw cancelled(jobId, request, events, cancel);
        }
        log.drain(request.stageName(), events);
        Optional<SlurmJobState> state = queue.state(jobId);
        if (state.isPresent() && !state.get().active()) {
          return state.get();
        }
        if (state.isEmpty()) {
          SlurmJobState gone = slurm.finished(List.of(jobId)).get(jobId);
          return gone != null ? gone : new SlurmJobState(jobId, "UNKNOWN", "no longer known to Slurm", "");
        }
        sleepOrCancel(wait, cancel);
        wait = wait.multipliedBy(3).dividedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : wait.multipliedBy(3).dividedBy(2);
      }
    } catch (InterruptedException e) {
      // the runner interrupts a cancelled stage's thread, most often while it sleeps between polls or
      // waits for squeue: the job must be cancelled all the same, or it runs on after the pipeline
      throw cancelled(jobId, request, events, cancel);
    }
  }

  /** scancels the job and returns the exception that ends the stage as cancelled. */
  private CancellationException cancelled(String jobId, LaunchRequest request, StageEvents events, CancelSignal cancel)
      throws IOException, InterruptedException {
    Thread.interrupted(); // scancel must run even when the worker was interrupted
    slurm.cancel(List.of(jobId));
    events.log(request.stageName(), "cancelled Slurm job " + jobId);
    return new CancellationException(cancel.reason() != null ? cancel.reason() : "interrupted");
  }

  private static void sleepOrCancel(Duration wait, CancelSignal cancel) throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < end && !cancel.isCancelled()) {
      Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
  }

  /** A job of this key that an earlier run submitted and that is still queued, running, or completed with its result. */
  private Optional<String> adoptable(Path marker, Path result) throws IOException, InterruptedException {
    if (!Files.isRegularFile(marker)) {
      return Optional.empty();
    }
    String id = Files.readString(marker, StandardCharsets.UTF_8).trim();
    Optional<SlurmJobState> state = queue.state(id);
    if (state.isPresent() && (state.get().active() || state.get().baseState().equals("COMPLETED") && Files.exists(result))) {
      return Optional.of(id);
    }
    queue.forget(id);
    return Optional.empty();
  }

  private String submit(LaunchRequest request, Path dir, Path out, Path result, Path marker)
      throws IOException, InterruptedException {
    if (Files.exists(out)) {
      MoreFiles.deleteRecursively(out, RecursiveDeleteOption.ALLOW_INSECURE);
    }
    Files.createDirectories(out);
    Files.deleteIfExists(result);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path f : (Iterable<Path>) old::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith("exit-") || name.startsWith("hs_err_pid")) {
          Files.delete(f);
        }
      }
    }
    // Slurm sets CUDA_VISIBLE_DEVICES for --gres, so inside the job its GPUs count from 0
    String childDevice = request.device().startsWith("gpu") ? DeviceAssignment.of(request.device()).childDevice() : "cpu";
    Path jobFile = dir.resolve("job.json");
    StageJob.of(request, out, childDevice, result).write(jobFile);
    Path script = dir.resolve("job.sh");
    Files.writeString(script, script(jobFile, dir), StandardCharsets.UTF_8);
    String id = slurm.submit(options(request, dir), script);
    Path tmp = marker.resolveSibling("slurm-job.tmp");
    Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return id;
  }

  /** The sbatch flags of a stage: its resources, then the run's own flags, which may override them. */
  static ImmutableList<String> options(LaunchRequest request, Path dir) {
    StageResources r = request.resources();
    ImmutableList.Builder<String> o = ImmutableList.builder();
    o.add("--job-name=robustcl-" + request.stageName());
    o.add("--output=" + dir.toAbsolutePath().resolve("slurm-%j.out"));
    o.add("--chdir=" + Path.of("").toAbsolutePath());
    if (r.gpus() > 0 && request.device().startsWith("gpu")) {
      o.add("--gres=gpu:" + r.gpus());
    }
    if (r.cpus() > 0) {
      o.add("--cpus-per-task=" + r.cpus());
    }
    if (r.memory() != null) {
      o.add("--mem=" + r.memory());
    }
    if (r.time() != null) {
      o.add("--time=" + r.time());
    }
    o.addAll(request.schedulerOptions());
    return o.build();
  }

  private String script(Path jobFile, Path dir) {
    StringBuilder s = new StringBuilder("#!/bin/sh\n# written by robustcl's Slurm launcher; runs one stage\n");
    List<String> command = jvm.command(dir, List.of("exec-stage", "--job", jobFile.toAbsolutePath().toString()));
    List<String> quoted = new ArrayList<>();
    for (String word : command) {
      quoted.add(quote(word));
    }
    s.append(String.join(" ", quoted)).append('\n');
    s.append("code=$?\n");
    s.append("echo \"$code\" > ").append(quote(dir.toAbsolutePath().toString())).append("/exit-\"$SLURM_JOB_ID\"\n");
    s.append("exit \"$code\"\n");
    return s.toString();
  }

  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  private static Optional<Integer> readExit(Path exitFile, SlurmJobState state) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + (state.baseState().equals("COMPLETED") ? EXIT_FILE_GRACE.toNanos() : 0);
    while (true) {
      if (Files.isRegularFile(exitFile)) {
        String text = Files.readString(exitFile, StandardCharsets.UTF_8).trim();
        try {
          return Optional.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
      if (System.nanoTime() >= deadline) {
        return Optional.empty();
      }
      Thread.sleep(200);
    }
  }

  private static String reason(String jobId, SlurmJobState state, Optional<Integer> exit, LogTail log) {
    String why = switch (state.baseState()) {
      case "TIMEOUT" -> "exceeded its time limit (TIMEOUT); raise resources.time";
      case "OUT_OF_MEMORY" -> "ran out of memory (OUT_OF_MEMORY); raise resources.mem";
      case "CANCELLED" -> "was cancelled outside this run (CANCELLED)";
      case "NODE_FAIL" -> "lost its node (NODE_FAIL)";
      case "PREEMPTED" -> "was preempted (PREEMPTED)";
      case "BOOT_FAIL", "DEADLINE" -> "ended " + state.baseState();
      default -> log.reported() != null ? log.reported()
          : exit.map(code -> ExitStatus.describe(code, null, log.file().getParent()))
              .orElse("ended " + state.baseState() + (state.reason().isEmpty() ? "" : " (" + state.reason() + ")"));
    };
    String node = state.node().isEmpty() ? "" : " on " + state.node();
    return "Slurm job " + jobId + node + " " + why + "; log: " + log.file();
  }

  /** Moves the files the job wrote into the pending artifact (renames: both lie in the cache). */
  private static void moveContents(Path from, Path to) throws IOException {
    try (Stream<Path> entries = Files.list(from)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        Files.move(entry, to.resolve(entry.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
      }
    }
  }

  /** The job's output file, read as it grows, its protocol lines dispatched like a child's pipe. */
  private static final class LogTail {
    private final Path file;
    private long offset;
    private final StringBuilder partial = new StringBuilder();
    private @Nullable String reported;

    LogTail(Path file) {
      this.file = file;
    }

    Path file() {
      return file;
    }

    @Nullable String reported() {
      return reported;
    }

    void drain(String stageName, StageEvents events) throws IOException {
      if (!Files.isRegularFile(file)) {
        return;
      }
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        long length = in.length();
        if (length <= offset) {
          return;
        }
        byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
        in.seek(offset);
        in.readFully(bytes);
        offset += bytes.length;
        partial.append(new String(bytes, StandardCharsets.UTF_8));
      }
      int nl;
      while ((nl = partial.indexOf("\n")) >= 0) {
        String line = partial.substring(0, nl);
        partial.delete(0, nl + 1);
        String error = JobProtocol.dispatch(line, stageName, events);
        if (error != null) {
          reported = error;
        }
      }
    }
  }
}
