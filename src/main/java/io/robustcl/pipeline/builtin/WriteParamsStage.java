package io.robustcl.pipeline.builtin;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * Built-in stage type {@code write-params}: writes its resolved params to {@code params.txt}
 * (one {@code name = value} line per param, sorted by name), and {@code md} to
 * {@code out.md} when it is not empty. It records the metric {@code x}.
 *
 * <p>For tests and benchmarks it can also sleep ({@code sleep_ms}, cancellable, reporting
 * progress) and then fail on request ({@code fail}), or end its own process the hard way
 * ({@code crash: sigkill|segfault}) to test the launchers that run a stage in a child process:
 * with the in-process launcher that ends the pipeline itself. Its output depends on its params only,
 * never on its inputs' contents: inputs only order it after other stages.
 */
public final class WriteParamsStage implements Stage {

  /** The name it is bound under. */
  public static final String TYPE = "write-params";

  private static final long PROGRESS_TICK_MS = 20;

  @Override
  public void run(StageContext ctx) throws Exception {
    Params params = ctx.params();
    sleep(ctx, params.getLong("sleep_ms"));
    crash(params.getString("crash"));
    if (params.getBool("fail")) {
      throw new IllegalStateException("stage " + ctx.stageName() + " fails because its param fail is true");
    }
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, Object> entry : params.asMap().entrySet()) {
      text.append(entry.getKey()).append(" = ").append(entry.getValue()).append('\n');
    }
    Files.writeString(ctx.outputDir().resolve("params.txt"), text, StandardCharsets.UTF_8);
    String md = params.getString("md");
    if (!md.isEmpty()) {
      Files.writeString(ctx.outputDir().resolve("out.md"), md.endsWith("\n") ? md : md + "\n", StandardCharsets.UTF_8);
    }
    ctx.putMetric("x", params.getDouble("x"));
  }

  private static void crash(String how) throws Exception {
    switch (how) {
      case "" -> { }
      case "sigkill" -> {
        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
        Thread.sleep(Long.MAX_VALUE);
      }
      case "segfault" -> {
        // a write to address 0 from native code: the JVM dies with a fatal error, as a crashing libtorch would
        java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        ((sun.misc.Unsafe) f.get(null)).putAddress(0L, 0L);
      }
      default -> throw new IllegalArgumentException("crash: " + how);
    }
  }

  private static void sleep(StageContext ctx, long millis) throws InterruptedException {
    long start = System.nanoTime();
    long elapsed = 0;
    while (elapsed < millis) {
      ctx.checkCancelled();
      ctx.progress(new Progress("sleep", 0, 0, Math.max(1, elapsed), millis, Double.NaN, Double.NaN));
      Thread.sleep(Math.min(PROGRESS_TICK_MS, millis - elapsed));
      elapsed = (System.nanoTime() - start) / 1_000_000;
    }
  }

  @Override
  public String doc() {
    return "writes its params to params.txt (and md to out.md); can sleep and fail on request, for tests";
  }

  @Override
  public List<ParamSpec> params() {
    return PARAMS;
  }

  /** Built once: the loader asks every stage of a pipeline for its type's params. */
  private static final ImmutableList<ParamSpec> PARAMS = ImmutableList.of(
        ParamSpec.string("value", "", "free text, written out"),
        ParamSpec.integer("n", 0L, "an integer, written out"),
        ParamSpec.floating("x", 0.0, "a number, written out and recorded as metric x"),
        new ParamSpec("values", ParamType.MAP, ImmutableSortedMap.of(), "a free-form mapping, written out",
            ImmutableList.of(), null, null),
        ParamSpec.string("md", "", "markdown written to out.md when not empty"),
        ParamSpec.integer("sleep_ms", 0L, "milliseconds to sleep first (cancellable)").atLeast(0),
        ParamSpec.bool("fail", false, "throw after sleeping, for testing failure handling"),
        ParamSpec.string("crash", "", "after sleeping, end the stage's own process: sigkill or segfault"
            + " (for testing the process and Slurm launchers)").oneOf("", "sigkill", "segfault"));

  @Override
  public List<InputPort> inputs() {
    return List.of(InputPort.many("after", "stages that must finish first; their contents are not read").optional());
  }
}
