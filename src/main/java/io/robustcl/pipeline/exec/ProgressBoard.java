package io.robustcl.pipeline.exec;

import io.robustcl.pipeline.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The console view of a run: one permanent line per stage outcome (cached, done, failed,
 * skipped) and a live line per running stage built from its latest {@link Progress}, under an
 * overall line once the run is {@link #plan planned}: stages finished of the total, and the
 * ETA of the whole target (running stages' own ETAs plus, for stages not started, the wall
 * time of their last build as its manifest records it).
 *
 * <p>On a terminal the live lines are redrawn in place below the permanent ones; otherwise
 * each running stage prints a plain progress line at most once per {@code plainInterval}.
 * Thread-safe: stages report from their own threads; a daemon thread redraws.
 */
public final class ProgressBoard implements StageEvents, AutoCloseable {

  private final PrintWriter out;
  private final boolean terminal;
  private final LongSupplier nanoClock;
  private final long plainIntervalNanos;
  private final Map<String, Running> running = new LinkedHashMap<>();
  private int liveLines;
  private @Nullable Thread redrawer;
  private final java.util.Set<String> finished = new java.util.HashSet<>();
  private java.util.Set<String> planned = java.util.Set.of();
  private java.util.function.Supplier<Map<String, Double>> estimates = Map::of;
  private int jobs = 1;
  private long lastOverallNanos;
  private volatile boolean traces;
  /** Live lines are cut to this width, so that erasing N lines erases N rows (no wrapped leftovers). */
  private final int width;

  private static final class Running {
    final String device;
    final long startNanos;
    @Nullable Progress progress;
    long lastPlainNanos;
    boolean changed;

    Running(String device, long startNanos) {
      this.device = device;
      this.startNanos = startNanos;
      this.lastPlainNanos = startNanos;
    }
  }

  /**
   * @param out where to print
   * @param terminal true to redraw live lines in place with ANSI escapes
   * @param plainInterval on a non-terminal, the least time between two progress lines of one stage
   */
  public ProgressBoard(PrintWriter out, boolean terminal, Duration plainInterval) {
    this(out, terminal, plainInterval, terminalWidth(System.getenv("COLUMNS")));
  }

  /** @param width the terminal's width in columns (see {@link #terminalWidth(String)}) */
  public ProgressBoard(PrintWriter out, boolean terminal, Duration plainInterval, int width) {
    this(out, terminal, plainInterval, System::nanoTime, width);
  }

  ProgressBoard(PrintWriter out, boolean terminal, Duration plainInterval, LongSupplier nanoClock) {
    this(out, terminal, plainInterval, nanoClock, 80);
  }

  ProgressBoard(PrintWriter out, boolean terminal, Duration plainInterval, LongSupplier nanoClock, int width) {
    this.out = out;
    this.terminal = terminal;
    this.plainIntervalNanos = plainInterval.toNanos();
    this.nanoClock = nanoClock;
    this.width = Math.max(20, width);
  }

  /** The terminal's width from the value of {@code COLUMNS} (null when unset), else 80. */
  public static int terminalWidth(@org.jspecify.annotations.Nullable String columns) {
    try {
      return columns == null ? 80 : Integer.parseInt(columns.trim());
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  /** Also prints the stack trace of each failed stage ({@code --debug}). */
  public ProgressBoard showTraces(boolean on) {
    traces = on;
    return this;
  }

  /**
   * Enables the overall line for a run of {@code stages}.
   *
   * @param estimates seconds each stage took when last built (stages never built are absent);
   *     asked for once, when the overall line is first drawn, so a fully cached run never pays
   * @param jobs how many stages run at once
   */
  public synchronized void plan(
      java.util.Collection<String> stages, java.util.function.Supplier<Map<String, Double>> estimates, int jobs) {
    this.planned = java.util.Set.copyOf(stages);
    this.estimates = com.google.common.base.Suppliers.memoize(estimates::get);
    this.jobs = Math.max(1, jobs);
    this.lastOverallNanos = nanoClock.getAsLong();
  }

  /** Starts the background redraw (every 200 ms on a terminal, every second otherwise). */
  public synchronized void start() {
    if (redrawer != null) {
      return;
    }
    long periodMs = terminal ? 200 : 1000;
    Thread thread = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep(periodMs);
          tick();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // asked to stop
      }
    }, "progress-board");
    thread.setDaemon(true);
    thread.start();
    redrawer = thread;
  }

  public synchronized void cached(String stage, String key) {
    if (!finished.add(stage)) {
      return; // one final line per stage, however often it is reported
    }
    // a stage that started may still end cached: another stage or run committed its key while
    // it waited for the key's lock (two stages of one key, e.g. two synthetic datasets)
    running.remove(stage);
    permanent(String.format("  cached   %s  (%s)", stage, shortKey(key)));
  }

  public synchronized void started(String stage, String device, String why) {
    running.put(stage, new Running(device, nanoClock.getAsLong()));
    permanent(String.format("  running  %s  on %s  (%s)", stage, device, why));
  }

  public synchronized void done(String stage, String key) {
    if (!finished.add(stage)) {
      return; // one final line per stage, however often it is reported
    }
    Running r = running.remove(stage);
    permanent(String.format("  done     %s  %s  (%s)", stage, elapsed(r), shortKey(key)));
  }

  public synchronized void failed(String stage, Throwable error) {
    if (!finished.add(stage)) {
      return; // one final line per stage, however often it is reported
    }
    Running r = running.remove(stage);
    permanent(String.format("  FAILED   %s  %s  %s", stage, elapsed(r), PipelineRunner.describe(error)));
    if (traces) {
      java.io.StringWriter trace = new java.io.StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      permanent(trace.toString().stripTrailing());
    }
  }

  public synchronized void cancelled(String stage) {
    if (!finished.add(stage)) {
      return; // one final line per stage, however often it is reported
    }
    Running r = running.remove(stage);
    permanent(String.format("  cancelled %s  %s", stage, elapsed(r)));
  }

  public synchronized void skipped(String stage, String why) {
    if (!finished.add(stage)) {
      return; // one final line per stage, however often it is reported
    }
    permanent(String.format("  skipped  %s  (%s)", stage, why));
  }

  /** A line outside any stage, e.g. the run's summary. */
  public synchronized void note(String line) {
    permanent(line);
  }

  @Override
  public synchronized void progress(String stageName, Progress progress) {
    Running r = running.get(stageName);
    if (r != null) {
      r.progress = progress;
      r.changed = true;
    }
  }

  @Override
  public synchronized void log(String stageName, String message) {
    permanent("  [" + stageName + "] " + message);
  }

  /** Redraws live lines (terminal) or prints due plain progress lines. */
  synchronized void tick() {
    if (terminal) {
      eraseLive();
      drawLive();
      return;
    }
    long now = nanoClock.getAsLong();
    if (!planned.isEmpty() && !running.isEmpty() && now - lastOverallNanos >= plainIntervalNanos) {
      out.println(overallLine(now));
      lastOverallNanos = now;
    }
    for (Map.Entry<String, Running> entry : running.entrySet()) {
      Running r = entry.getValue();
      if (r.changed && now - r.lastPlainNanos >= plainIntervalNanos) {
        out.println(line(entry.getKey(), r, now));
        r.lastPlainNanos = now;
        r.changed = false;
      }
    }
    out.flush();
  }

  /**
   * The overall line, e.g. {@code "  == 12/30 stages finished, 2 running  ETA 4:10"}. The ETA
   * adds the running stages' remaining time (from their progress, else from their last build)
   * and the last build times of the stages not started, spread over {@code --jobs} slots but
   * never shorter than the longest running stage; stages never built before have no estimate
   * and are counted instead.
   */
  synchronized String overallLine(long nowNanos) {
    double longest = 0;
    double work = 0;
    int unknown = 0;
    for (Map.Entry<String, Running> entry : running.entrySet()) {
      double left = remainingSeconds(entry.getKey(), entry.getValue(), nowNanos);
      if (Double.isNaN(left)) {
        unknown++;
        continue;
      }
      longest = Math.max(longest, left);
      work += left;
    }
    int waiting = 0;
    for (String stage : planned) {
      if (finished.contains(stage) || running.containsKey(stage)) {
        continue;
      }
      waiting++;
      Double estimate = estimates.get().get(stage);
      if (estimate == null) {
        unknown++;
      } else {
        work += estimate;
      }
    }
    int done = (int) finished.stream().filter(planned::contains).count();
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  == %d/%d stages finished, %d running, %d waiting",
        done, planned.size(), running.size(), waiting));
    s.append("  ETA ").append(clock(Math.max(longest, work / jobs)));
    if (unknown > 0) {
      s.append(" + ").append(unknown).append(unknown == 1 ? " stage" : " stages").append(" without an estimate");
    }
    return s.toString();
  }

  /** Seconds left for a running stage: from its progress, else from its last build; NaN if unknown. */
  private double remainingSeconds(String stage, Running r, long nowNanos) {
    double elapsedS = (nowNanos - r.startNanos) / 1e9;
    double fraction = r.progress == null ? Double.NaN : r.progress.fraction();
    if (!Double.isNaN(fraction) && fraction > 0) {
      return elapsedS * (1 - fraction) / fraction;
    }
    Double estimate = estimates.get().get(stage);
    return estimate == null ? Double.NaN : Math.max(0, estimate - elapsedS);
  }

  /** The live line of a running stage, e.g. {@code "  > train  pretrain  gpu:0  epoch 3/20 ..."}. */
  static String line(String stage, Running r, long nowNanos) {
    double elapsedS = (nowNanos - r.startNanos) / 1e9;
    StringBuilder s = new StringBuilder("  > ").append(stage).append("  ").append(r.device);
    Progress p = r.progress;
    if (p != null) {
      s.append("  ").append(p.phase());
      if (p.epoch() > 0) {
        s.append(" epoch ").append(p.epoch()).append(p.epochs() > 0 ? "/" + p.epochs() : "");
      }
      if (p.step() > 0) {
        s.append(" step ").append(p.step()).append(p.steps() > 0 ? "/" + p.steps() : "");
      }
      if (!Double.isNaN(p.loss())) {
        s.append(String.format(Locale.ROOT, " loss %.4f", p.loss()));
      }
      if (!Double.isNaN(p.itemsPerSecond())) {
        s.append(String.format(Locale.ROOT, " %.0f img/s", p.itemsPerSecond()));
      }
      double fraction = p.fraction();
      if (!Double.isNaN(fraction) && fraction > 0) {
        s.append(String.format(Locale.ROOT, " %3.0f%%", 100 * fraction));
        s.append(" ETA ").append(clock(elapsedS * (1 - fraction) / fraction));
      }
    }
    s.append("  [").append(clock(elapsedS)).append(']');
    return s.toString();
  }

  private String elapsed(@Nullable Running r) {
    return r == null ? "" : clock((nanoClock.getAsLong() - r.startNanos) / 1e9);
  }

  /** {@code seconds} as {@code 4.2s}, {@code 3:07} or {@code 1:02:03}. */
  public static String clock(double seconds) {
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", seconds);
    }
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  private static String shortKey(String key) {
    return key.length() > 12 ? key.substring(0, 12) : key;
  }

  private void permanent(String line) {
    eraseLive();
    out.println(line);
    drawLive();
    out.flush();
  }

  private void eraseLive() {
    if (terminal && liveLines > 0) {
      out.print("\033[" + liveLines + "A\r\033[J");
      liveLines = 0;
    }
  }

  private void drawLive() {
    if (!terminal) {
      return;
    }
    long now = nanoClock.getAsLong();
    List<String> lines = new ArrayList<>();
    if (!planned.isEmpty() && !running.isEmpty()) {
      lines.add(overallLine(now));
    }
    running.forEach((stage, r) -> lines.add(line(stage, r, now)));
    for (String l : lines) {
      out.println(l.length() < width ? l : l.substring(0, width - 4) + "...");
    }
    liveLines = lines.size();
  }

  /** Stops redrawing and erases the live lines. */
  @Override
  public void close() {
    Thread thread;
    synchronized (this) {
      thread = redrawer;
      redrawer = null;
    }
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      eraseLive();
      out.flush();
    }
  }
}
