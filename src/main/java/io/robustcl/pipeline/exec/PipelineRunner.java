package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.cache.ManifestFormatException;
import io.robustcl.pipeline.config.ConfigException;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import io.robustcl.pipeline.graph.StageGraph;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Runs the closure of a pipeline's targets: in topological order, at most {@code jobs} stages
 * at a time, a stage as soon as all its inputs are committed. A stage's key is computed only
 * then, from its inputs' content hashes, so an upstream stage that reruns to a bit-identical
 * artifact leaves its dependants cached (early cut-off).
 *
 * <p>The scheduler lives on the calling thread: it resolves keys and serves cache hits
 * itself, and hands stages that must compute to worker threads through the {@link
 * StageLauncher}. On a failure it cancels the run (fail-fast: running stages are
 * interrupted, nothing new starts) or, with {@code keepGoing}, skips only the failed stage's
 * downstream. Committed artifacts always stay.
 */
public final class PipelineRunner {

  private final StageResolver resolver;
  private final Map<String, StageLauncher> launchers;
  private final Set<RuntimeVersions> versions;
  private final GpuCount gpuCount;

  @Inject
  public PipelineRunner(
      StageResolver resolver, Map<String, StageLauncher> launchers, Set<RuntimeVersions> versions, GpuCount gpuCount) {
    this.resolver = resolver;
    this.launchers = launchers;
    this.versions = versions;
    this.gpuCount = gpuCount;
  }

  /**
   * Runs {@code options.targets()} of {@code spec} against {@code store}.
   *
   * @param board receives per-stage status lines and the stages' progress
   * @param cancel set it (e.g. from a shutdown hook) to cancel the run; the run sets it itself
   *     on a fail-fast failure
   * @throws ConfigException for an unknown target or forced stage, or {@code --device gpu}
   *     without GPUs
   */
  public RunReport run(
      PipelineSpec spec, ArtifactStore store, StageNameIndex index, RunOptions options, ProgressBoard board,
      CancelSignal cancel) {
    long startNanos = System.nanoTime();
    ImmutableMap<String, ImmutableList<String>> targets = targets(spec, options.targets());
    StageGraph graph = StageGraph.of(spec);
    ImmutableList<String> order = graph.closure(spec.targetStages(options.targets()));
    checkForced(options.forced(), order);
    GpuSlots gpus = gpuSlots(spec, order, options);

    Map<String, Manifest> committed = new HashMap<>();
    Map<String, StageOutcome> outcomes = new HashMap<>();
    Map<String, Long> startedAt = new HashMap<>();
    Map<String, int[]> gpusHeld = new HashMap<>();
    Map<String, AtomicReference<@Nullable Thread>> running = new LinkedHashMap<>();
    LinkedHashSet<String> pending = new LinkedHashSet<>(order);
    LinkedBlockingQueue<StageExecution.Result> finished = new LinkedBlockingQueue<>();
    StageExecution execution = new StageExecution(
        store, launcher(options.launch()), options.launch(), this::versionStrings, board, cancel);
    ExecutorService workers = Executors.newFixedThreadPool(options.jobs(), daemonThreads());
    try {
      while (true) {
        if (!cancel.isCancelled()) {
          startReady(spec, graph, store, index, options, board, cancel, pending, committed, outcomes, gpus,
              gpusHeld, startedAt, running, finished, execution, workers);
        }
        if (running.isEmpty()) {
          break;
        }
        // poll, so that a cancel from outside (Ctrl-C) also interrupts stages that never poll it
        StageExecution.Result result = finished.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (result == null) {
          if (cancel.isCancelled()) {
            interruptAll(running);
          }
          continue;
        }
        String name = result.stage().name();
        running.remove(name);
        int[] held = gpusHeld.remove(name);
        if (held != null) {
          gpus.release(held);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startedAt.get(name));
        switch (result.status()) {
          case DONE, CACHED -> {
            Manifest m = java.util.Objects.requireNonNull(result.manifest());
            committed.put(name, m);
            index.record(name, m.key());
            outcomes.put(name, new StageOutcome(name, result.status(), m, elapsed, null));
            if (result.status() == StageStatus.DONE) {
              board.done(name, m.key());
            } else {
              board.cached(name, m.key());
            }
          }
          case CANCELLED -> {
            outcomes.put(name, new StageOutcome(name, StageStatus.CANCELLED, null, elapsed, cancel.reason()));
            board.cancelled(name);
          }
          default -> {
            Throwable error = java.util.Objects.requireNonNull(result.error());
            outcomes.put(name, new StageOutcome(name, StageStatus.FAILED, null, elapsed, describe(error)));
            board.failed(name, error);
            if (!options.keepGoing()) {
              cancel.cancel("stage " + name + " failed");
              interruptAll(running);
            }
          }
        }
        if (cancel.isCancelled()) {
          interruptAll(running);
        }
      }
    } catch (InterruptedException e) {
      // the scheduler thread itself was interrupted: cancel like Ctrl-C, then wait for the workers below
      cancel.cancel("interrupted");
      Thread.currentThread().interrupt();
    } finally {
      workers.shutdownNow();
      awaitQuietly(workers);
    }
    for (String name : pending) {
      String why = skipReason(graph, name, outcomes, cancel);
      outcomes.put(name, new StageOutcome(name, StageStatus.SKIPPED, null, Duration.ZERO, why));
      board.skipped(name, why);
    }
    ImmutableMap.Builder<String, StageOutcome> ordered = ImmutableMap.builder();
    for (String name : order) {
      StageOutcome o = outcomes.get(name);
      if (o != null) {
        ordered.put(name, o);
      }
    }
    return new RunReport(targets, ordered.buildOrThrow(), Duration.ofNanos(System.nanoTime() - startNanos), cancel.reason());
  }

  /** Starts every pending stage whose inputs are committed and for which a slot is free; serves cache hits. */
  private void startReady(
      PipelineSpec spec, StageGraph graph, ArtifactStore store, StageNameIndex index, RunOptions options,
      ProgressBoard board, CancelSignal cancel, LinkedHashSet<String> pending, Map<String, Manifest> committed,
      Map<String, StageOutcome> outcomes, GpuSlots gpus, Map<String, int[]> gpusHeld, Map<String, Long> startedAt,
      Map<String, AtomicReference<@Nullable Thread>> running, LinkedBlockingQueue<StageExecution.Result> finished,
      StageExecution execution, ExecutorService workers) {
    boolean changed = true;
    while (changed && !cancel.isCancelled()) {
      changed = false;
      for (Iterator<String> it = pending.iterator(); it.hasNext(); ) {
        String name = it.next();
        ImmutableList<String> deps = graph.dependencies(name);
        Optional<String> broken = deps.stream()
            .filter(d -> outcomes.containsKey(d) && !outcomes.get(d).status().ok()).findFirst();
        if (broken.isPresent()) {
          String why = "upstream " + broken.get() + " " + outcomes.get(broken.get()).status().name().toLowerCase();
          outcomes.put(name, new StageOutcome(name, StageStatus.SKIPPED, null, Duration.ZERO, why));
          board.skipped(name, why);
          it.remove();
          changed = true;
          continue;
        }
        if (!committed.keySet().containsAll(deps)) {
          continue;
        }
        StageSpec stageSpec = spec.stage(name);
        ResolvedStage resolved;
        try {
          resolved = resolver.resolve(stageSpec, committed, store);
        } catch (RuntimeException e) {
          fail(name, e, outcomes, board, options, cancel);
          it.remove();
          changed = true;
          continue;
        }
        boolean forced = options.forced().contains(name);
        if (!forced) {
          Optional<Manifest> hit = lookup(store, resolved.key(), name, board);
          if (hit.isPresent()) {
            committed.put(name, hit.get());
            index.record(name, resolved.key());
            outcomes.put(name, new StageOutcome(name, StageStatus.CACHED, hit.get(), Duration.ZERO, null));
            board.cached(name, resolved.key());
            it.remove();
            changed = true;
            continue;
          }
        }
        if (running.size() >= options.jobs()) {
          continue;
        }
        String device = "cpu";
        int[] held = null;
        if (wantsGpu(stageSpec, options, gpus)) {
          held = gpus.tryTake(Math.min(stageSpec.gpus(), gpus.count()));
          if (held == null) {
            continue; // wait for a GPU to come free; CPU stages may start meanwhile
          }
          // the stage gets every slot it holds, not just the first
          device = "gpu:" + java.util.Arrays.stream(held).mapToObj(Integer::toString)
              .collect(java.util.stream.Collectors.joining(","));
          gpusHeld.put(name, held);
        }
        List<String> why = forced ? List.of("forced") : explain(store, index, resolved);
        board.started(name, device, String.join("; ", why));
        startedAt.put(name, System.nanoTime());
        String chosenDevice = device;
        AtomicReference<@Nullable Thread> worker = new AtomicReference<>();
        running.put(name, worker);
        // never Future.cancel: a task cancelled before it starts would never report back
        workers.execute(() -> {
          worker.set(Thread.currentThread());
          try {
            finished.add(execution.call(resolved, forced, chosenDevice));
          } finally {
            worker.set(null);
          }
        });
        it.remove();
        changed = true;
      }
    }
  }

  private static void fail(
      String name, RuntimeException e, Map<String, StageOutcome> outcomes, ProgressBoard board, RunOptions options,
      CancelSignal cancel) {
    outcomes.put(name, new StageOutcome(name, StageStatus.FAILED, null, Duration.ZERO, describe(e)));
    board.failed(name, e);
    if (!options.keepGoing()) {
      cancel.cancel("stage " + name + " failed");
    }
  }

  /** The cache entry of {@code key}; an unreadable manifest counts as a miss (the rerun replaces it). */
  static Optional<Manifest> lookup(ArtifactStore store, String key, String name, StageEvents events) {
    try {
      return store.lookup(key);
    } catch (ManifestFormatException e) {
      events.log(name, "ignoring unreadable cache entry, it will be rebuilt: " + e.getMessage());
      return Optional.empty();
    }
  }

  static ImmutableList<String> explain(ArtifactStore store, StageNameIndex index, ResolvedStage resolved) {
    @Nullable String lastKey = index.lastKey(resolved.name()).orElse(null);
    Manifest last = null;
    if (lastKey != null) {
      try {
        last = store.lookup(lastKey).orElse(null);
      } catch (ManifestFormatException e) {
        last = null; // explained as "no longer in the cache"
      }
    }
    return ChangeExplainer.reasons(
        lastKey, last, resolved.key(), resolved.spec().type(), resolved.stage().version(), resolved.spec().params(),
        resolved.inputHashes());
  }

  private static void interruptAll(Map<String, AtomicReference<@Nullable Thread>> running) {
    for (AtomicReference<@Nullable Thread> worker : running.values()) {
      Thread t = worker.get();
      if (t != null) {
        t.interrupt();
      }
    }
  }

  private static boolean wantsGpu(StageSpec spec, RunOptions options, GpuSlots gpus) {
    return spec.gpus() > 0 && options.device() != DeviceMode.CPU && gpus.count() > 0;
  }

  private GpuSlots gpuSlots(PipelineSpec spec, List<String> order, RunOptions options) {
    boolean needed = order.stream().anyMatch(n -> spec.stage(n).gpus() > 0);
    if (!needed || options.device() == DeviceMode.CPU) {
      return new GpuSlots(0);
    }
    int count = options.gpus() != null ? options.gpus() : gpuCount.detect();
    if (count == 0 && options.device() == DeviceMode.GPU) {
      throw new ConfigException(
          "--device gpu, but no GPU is available (none detected and no --gpus N given); use --device cpu or auto");
    }
    return new GpuSlots(count);
  }

  static ImmutableMap<String, ImmutableList<String>> targets(PipelineSpec spec, List<String> names) {
    if (names.isEmpty()) {
      throw new ConfigException("no --target given; declared targets: "
          + (spec.targets().isEmpty() ? "(none)" : String.join(", ", spec.targets().keySet())));
    }
    Map<String, ImmutableList<String>> out = new LinkedHashMap<>();
    for (String name : names) {
      out.put(name, spec.target(name));
    }
    return ImmutableMap.copyOf(out);
  }

  static void checkForced(Set<String> forced, List<String> order) {
    List<String> unknown = new ArrayList<>();
    for (String name : forced) {
      if (!order.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("--force " + String.join(", ", unknown)
          + ": not a stage the targets need; they need: " + String.join(", ", order));
    }
  }

  private static String skipReason(StageGraph graph, String name, Map<String, StageOutcome> outcomes, CancelSignal cancel) {
    for (String dep : graph.dependencies(name)) {
      StageOutcome o = outcomes.get(dep);
      if (o != null && !o.status().ok()) {
        return "upstream " + dep + " " + o.status().name().toLowerCase();
      }
    }
    String reason = cancel.reason();
    return reason == null ? "not started" : "cancelled: " + reason;
  }

  private ImmutableSortedMap<String, String> versionStrings() {
    TreeMap<String, String> out = new TreeMap<>();
    out.put("java", System.getProperty("java.version", "unknown"));
    out.put("robustcl", EngineVersion.get());
    for (RuntimeVersions v : versions) {
      out.putAll(v.versions());
    }
    return ImmutableSortedMap.copyOf(out);
  }

  private StageLauncher launcher(LaunchSettings settings) {
    StageLauncher launcher = launchers.get(settings.launcher());
    if (launcher == null) {
      throw new ConfigException("--launcher " + settings.launcher() + ": unknown launcher; known: "
          + String.join(", ", new java.util.TreeSet<>(launchers.keySet())));
    }
    return launcher;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + message;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "stage-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void awaitQuietly(ExecutorService workers) {
    boolean interrupted = false;
    while (true) {
      try {
        if (workers.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true; // keep waiting: workers must release locks and remove temp dirs first
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
