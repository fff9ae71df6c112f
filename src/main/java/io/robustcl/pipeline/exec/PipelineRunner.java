package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.ReadLease;
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
  private final DeviceNames deviceNames = new DeviceNames();
  private final GpuCount gpuCount;
  private final StageGraphs graphs;

  @Inject
  public PipelineRunner(
      StageResolver resolver, Map<String, StageLauncher> launchers, Set<RuntimeVersions> versions, GpuCount gpuCount,
      StageGraphs graphs) {
    this.resolver = resolver;
    this.graphs = graphs;
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
    StageGraph graph = graphs.of(spec);
    ImmutableList<String> order = graph.closure(spec.targetStages(options.targets()));
    checkForced(options.forced(), order);
    GpuSlots gpus = gpuSlots(spec, order, options);

    int recovered = store.recoverAbandoned();
    if (recovered > 0) {
      board.note("  cleaned up " + recovered + " leftovers of killed runs (temporary directories, leases)");
    }
    board.plan(order, () -> lastBuildSeconds(order, store, index), options.jobs());
    ReadLease lease = store.lease();
    StageExecution execution = new StageExecution(
        store, launcher(options.launch()), options.launch(), this::versionStrings, board, cancel, lease,
        options.verifyInputs());
    ExecutorService workers = Executors.newFixedThreadPool(options.jobs(), daemonThreads());
    Schedule schedule = new Schedule(spec, graph, order, store, index, options, board, cancel, gpus, execution, workers);
    try (lease) {
      while (true) {
        if (!cancel.isCancelled()) {
          schedule.startReady();
        }
        if (schedule.running.isEmpty()) {
          break;
        }
        // poll, so that a cancel from outside (Ctrl-C) also interrupts stages that never poll it
        StageExecution.Result result = schedule.finished.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (result == null) {
          if (cancel.isCancelled()) {
            interruptAll(schedule.running);
          }
          continue;
        }
        schedule.finish(result);
        if (cancel.isCancelled()) {
          interruptAll(schedule.running);
        }
      }
    } catch (InterruptedException e) {
      // the scheduler thread itself was interrupted: cancel like Ctrl-C, then wait for the workers below
      cancel.cancel("interrupted");
      Thread.currentThread().interrupt();
    } finally {
      workers.shutdownNow();
      awaitQuietly(workers);
      store.saveVerified();
    }
    Map<String, StageOutcome> outcomes = schedule.outcomes;
    for (String name : schedule.pending) {
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

  /**
   * The scheduler's state during one run: which stages wait for inputs ({@link ReadyQueue}),
   * which are resolved cache misses waiting for a job slot or a GPU, which run, and what
   * happened to each. Every event costs work in proportion to the stages it touches, never a
   * scan of all pending stages. Used by the scheduler thread only (workers just add to
   * {@link #finished}).
   */
  private final class Schedule {
    final PipelineSpec spec;
    final StageGraph graph;
    final ArtifactStore store;
    final StageNameIndex index;
    final RunOptions options;
    final ProgressBoard board;
    final CancelSignal cancel;
    final GpuSlots gpus;
    final StageExecution execution;
    final ExecutorService workers;
    final ReadyQueue ready;
    /** Not yet started, served from the cache, failed or skipped; skipped at the end if the run stops first. */
    final LinkedHashSet<String> pending;
    /** Resolved cache misses waiting for a slot, by position in the run's order (earliest starts first). */
    final TreeMap<Integer, ResolvedStage> waitingCpu = new TreeMap<>();
    final TreeMap<Integer, ResolvedStage> waitingGpu = new TreeMap<>();
    final Map<String, Manifest> committed = new HashMap<>();
    final Map<String, StageOutcome> outcomes = new HashMap<>();
    final Map<String, Long> startedAt = new HashMap<>();
    final Map<String, int[]> gpusHeld = new HashMap<>();
    final Map<String, AtomicReference<@Nullable Thread>> running = new LinkedHashMap<>();
    final LinkedBlockingQueue<StageExecution.Result> finished = new LinkedBlockingQueue<>();

    Schedule(
        PipelineSpec spec, StageGraph graph, List<String> order, ArtifactStore store, StageNameIndex index,
        RunOptions options, ProgressBoard board, CancelSignal cancel, GpuSlots gpus, StageExecution execution,
        ExecutorService workers) {
      this.spec = spec;
      this.graph = graph;
      this.store = store;
      this.index = index;
      this.options = options;
      this.board = board;
      this.cancel = cancel;
      this.gpus = gpus;
      this.execution = execution;
      this.workers = workers;
      this.ready = new ReadyQueue(graph, order);
      this.pending = new LinkedHashSet<>(order);
    }

    /**
     * Resolves every stage whose inputs are all committed and serves its cache hit (which may
     * make its readers ready in turn), then starts waiting misses, earliest first, while a job
     * slot (and for a GPU stage, its GPUs) is free.
     */
    void startReady() {
      for (String name = ready.poll(); name != null && !cancel.isCancelled(); name = ready.poll()) {
        StageSpec stageSpec = spec.stage(name);
        ResolvedStage resolved;
        try {
          resolved = resolver.resolve(stageSpec, committed, store);
        } catch (RuntimeException e) {
          pending.remove(name);
          fail(name, e, outcomes, board, options, cancel);
          skipDownstream(name);
          continue;
        }
        if (!options.forced().contains(name)) {
          Optional<Manifest> hit = execution.cacheHit(resolved.key(), name);
          if (hit.isPresent()) {
            commit(name, StageStatus.CACHED, hit.get(), Duration.ZERO);
            continue;
          }
        }
        (wantsGpu(stageSpec, options, gpus) ? waitingGpu : waitingCpu).put(ready.position(name), resolved);
      }
      while (running.size() < options.jobs() && !cancel.isCancelled()) {
        Map.Entry<Integer, ResolvedStage> cpu = waitingCpu.firstEntry();
        Map.Entry<Integer, ResolvedStage> gpu = firstThatFits();
        if (cpu == null && gpu == null) {
          break;
        }
        if (gpu == null || (cpu != null && cpu.getKey() < gpu.getKey())) {
          waitingCpu.remove(cpu.getKey());
          start(cpu.getValue(), "cpu");
        } else {
          waitingGpu.remove(gpu.getKey());
          int[] held = java.util.Objects.requireNonNull(gpus.tryTake(gpusWanted(gpu.getValue())));
          gpusHeld.put(gpu.getValue().name(), held);
          // the stage gets every slot it holds, not just the first
          start(gpu.getValue(), "gpu:" + java.util.Arrays.stream(held).mapToObj(Integer::toString)
              .collect(java.util.stream.Collectors.joining(",")));
        }
      }
    }

    /** The earliest waiting GPU stage for which enough GPUs are free; later ones may fit when it does not. */
    private Map.@Nullable Entry<Integer, ResolvedStage> firstThatFits() {
      if (gpus.free() == 0) {
        return null; // the common case when GPU stages queue: no scan at all
      }
      for (Map.Entry<Integer, ResolvedStage> e : waitingGpu.entrySet()) {
        if (gpusWanted(e.getValue()) <= gpus.free()) {
          return e;
        }
      }
      return null;
    }

    private int gpusWanted(ResolvedStage stage) {
      return Math.min(stage.spec().gpus(), gpus.count()); // a stage wanting more than there are gets them all
    }

    private void start(ResolvedStage resolved, String device) {
      String name = resolved.name();
      boolean forced = options.forced().contains(name);
      pending.remove(name);
      List<String> why = forced ? List.of("forced") : explain(store, index, resolved);
      board.started(name, device, String.join("; ", why));
      startedAt.put(name, System.nanoTime());
      AtomicReference<@Nullable Thread> worker = new AtomicReference<>();
      running.put(name, worker);
      // never Future.cancel: a task cancelled before it starts would never report back
      workers.execute(() -> {
        worker.set(Thread.currentThread());
        try {
          finished.add(execution.call(resolved, forced, device));
        } finally {
          worker.set(null);
        }
      });
    }

    /** Records what a worker reported; a failure cancels the run or, with keep-going, skips its downstream. */
    void finish(StageExecution.Result result) {
      String name = result.stage().name();
      running.remove(name);
      int[] held = gpusHeld.remove(name);
      if (held != null) {
        gpus.release(held);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startedAt.get(name));
      switch (result.status()) {
        case DONE, CACHED -> commit(name, result.status(), java.util.Objects.requireNonNull(result.manifest()), elapsed);
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
          skipDownstream(name);
        }
      }
    }

    private void commit(String name, StageStatus status, Manifest m, Duration elapsed) {
      pending.remove(name);
      committed.put(name, m);
      index.record(name, m.key());
      outcomes.put(name, new StageOutcome(name, status, m, elapsed, null));
      if (status == StageStatus.DONE) {
        board.done(name, m.key());
      } else {
        board.cached(name, m.key());
      }
      ready.committed(name);
    }

    /**
     * With keep-going, every pending stage that reads {@code name} (which did not commit),
     * directly or not, is skipped at once, in the run's order, naming its first broken input.
     * The walk stops at stages already skipped, so each stage is skipped once whatever the
     * number of failures. A cancelled run instead skips what is left when it ends.
     */
    private void skipDownstream(String name) {
      if (cancel.isCancelled()) {
        return;
      }
      TreeMap<Integer, String> doomed = new TreeMap<>();
      java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(graph.dependants(name));
      while (!todo.isEmpty()) {
        String reader = todo.removeFirst();
        // a reader outside the run is not pending; one found twice is already in doomed
        if (pending.contains(reader) && doomed.putIfAbsent(ready.position(reader), reader) == null) {
          todo.addAll(graph.dependants(reader));
        }
      }
      for (String reader : doomed.values()) {
        String why = skipReason(graph, reader, outcomes, cancel);
        pending.remove(reader);
        outcomes.put(reader, new StageOutcome(reader, StageStatus.SKIPPED, null, Duration.ZERO, why));
        board.skipped(reader, why);
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

  /** Wall time of each stage's last build, from the manifest its name last pointed at (the ETA's estimates). */
  private static Map<String, Double> lastBuildSeconds(List<String> stages, ArtifactStore store, StageNameIndex index) {
    Map<String, Double> out = new HashMap<>();
    for (String stage : stages) {
      try {
        index.lastKey(stage).flatMap(key -> lookup(store, key, stage, StageEvents.none()))
            .ifPresent(m -> out.put(stage, m.duration().toNanos() / 1e9));
      } catch (RuntimeException e) {
        // an estimate is a nicety: an unreadable index entry just leaves the stage without one
      }
    }
    return out;
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

  /**
   * The versions a manifest records for a stage computed on {@code device}: java, robustcl,
   * the device's name ({@link DeviceNames}), and whatever the bound {@link RuntimeVersions}
   * add (the ML side: djl, pytorch and its native flavour).
   */
  private ImmutableSortedMap<String, String> versionStrings(String device) {
    TreeMap<String, String> out = new TreeMap<>();
    out.put("java", System.getProperty("java.version", "unknown"));
    out.put("robustcl", EngineVersion.get());
    deviceNames.nameOf(device).ifPresent(name -> out.put("device_name", name));
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

  /**
   * {@code e} as one line for the user: the first line of its message (a native library's
   * error can run to a page of C++ frames), never its class name unless it has no message.
   */
  static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return "internal error: " + e.getClass().getSimpleName();
    }
    return message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(message);
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
