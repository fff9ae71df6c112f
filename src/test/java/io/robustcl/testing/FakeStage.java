package io.robustcl.testing;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.nio.file.Files;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Stage type {@code fake} for engine tests: writes {@code out.txt} holding param {@code out}
 * when it is not empty (so two param sets can give bit-identical artifacts), else {@code
 * v=<v>}; records every start and end; can fail once on request, meet other stages at a
 * barrier (to prove they run concurrently), or run slowly when the system property {@value
 * #SLOW_PROPERTY} names the stage.
 */
public final class FakeStage implements Stage {

  public static final String TYPE = "fake";
  public static final String SLOW_PROPERTY = "robustcl.test.slowStage";

  /** Stage names in the order they started. */
  public final List<String> ran = new CopyOnWriteArrayList<>();
  /** {@code start:<name>} and {@code end:<name>} in the order they happened. */
  public final List<String> events = Collections.synchronizedList(new java.util.ArrayList<>());
  /** Stage names that throw on their next run, then succeed. */
  public final Set<String> failOnce = ConcurrentHashMap.newKeySet();
  /** Per stage name, the devices its last run was given. */
  public final java.util.Map<String, List<String>> devices = new ConcurrentHashMap<>();
  /** Stages with {@code meet: true} wait here for each other. */
  public volatile CyclicBarrier barrier = new CyclicBarrier(2);

  @Override
  public void run(StageContext ctx) throws Exception {
    String name = ctx.stageName();
    events.add("start:" + name);
    ran.add(name);
    devices.put(name, List.copyOf(ctx.devices()));
    try {
      if (failOnce.remove(name)) {
        Files.writeString(ctx.outputDir().resolve("partial.txt"), "half written");
        throw new IllegalStateException("fake failure of " + name);
      }
      if (ctx.params().getBool("meet")) {
        barrier.await(10, TimeUnit.SECONDS);
      }
      if (name.equals(System.getProperty(SLOW_PROPERTY))) {
        Files.writeString(ctx.outputDir().resolve("partial.txt"), "half written");
        for (int i = 0; i < 600; i++) {
          ctx.checkCancelled();
          Thread.sleep(100);
        }
      }
      for (long waited = 0; waited < ctx.params().getLong("ms"); waited += 10) {
        ctx.checkCancelled();
        Thread.sleep(10);
      }
      String reads = ctx.params().getString("reads");
      String out = reads.isEmpty() ? ctx.params().getString("out") : Files.readString(java.nio.file.Path.of(reads));
      Files.writeString(ctx.outputDir().resolve("out.txt"), out.isEmpty() ? "v=" + ctx.params().getLong("v") : out);
      ctx.putMetric("v", ctx.params().getLong("v"));
    } finally {
      events.add("end:" + name);
    }
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.integer("v", 0L, "a value"),
        ParamSpec.string("out", "", "exact output when not empty"),
        ParamSpec.bool("meet", false, "wait at the barrier"),
        ParamSpec.integer("ms", 0L, "milliseconds to take"),
        ParamSpec.string("reads", "", "an external file whose content becomes the output"));
  }

  @Override
  public List<java.nio.file.Path> externalInputs(io.robustcl.pipeline.Params params) {
    String reads = params.getString("reads");
    return reads.isEmpty() ? List.of() : List.of(java.nio.file.Path.of(reads));
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(InputPort.many("in", "anything").optional());
  }
}
