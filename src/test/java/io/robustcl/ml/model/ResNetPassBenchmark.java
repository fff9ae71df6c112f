package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.device.GradientTape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The DJL side of {@code bench/resnet-pass.sh} (a main in the test tree, not a unit test): one
 * ResNet-18 (CIFAR stem) training-mode forward pass and backward pass to every weight per step,
 * timed apart, on random images; the same work as {@code bench/resnet_pass.py} does in PyTorch.
 *
 * <p>{@code --net ours} is {@link Network#features} (what every stage runs), {@code --net bare} the
 * same convolutions and batch norms as direct DJL calls ({@link BareResNet18}). {@code --profile FILE}
 * records the timed steps with libtorch's profiler (DJL's {@code JniUtils.startProfile}) as a Chrome
 * trace, which {@code bench/trace_ops.py} reduces to self time per op.
 *
 * <p>Prints {@code forward_images_per_s=}, {@code backward_images_per_s=} and {@code images_per_s=}
 * (forward plus backward, wall clock), and {@code images_per_cpu_s=} (per second of the process's CPU
 * time, which the load of a shared machine disturbs far less), after warm-up steps.
 */
public final class ResNetPassBenchmark {

  private ResNetPassBenchmark() {}

  public static void main(String[] args) {
    Map<String, String> opts = new HashMap<>(Map.of(
        "--net", "ours", "--batch", "32", "--size", "32", "--width", "64", "--steps", "10", "--warmup", "2",
        "--profile", ""));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!opts.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + opts.keySet());
      }
      opts.put(args[i], args[i + 1]);
    }
    int batch = Integer.parseInt(opts.get("--batch"));
    int size = Integer.parseInt(opts.get("--size"));
    int width = Integer.parseInt(opts.get("--width"));
    int steps = Integer.parseInt(opts.get("--steps"));
    int warmup = Integer.parseInt(opts.get("--warmup"));
    String profile = opts.get("--profile");
    try (ComputeScope scope = ComputeScope.open("cpu", 0)) {
      NDManager manager = scope.manager();
      Function<NDArray, NDArray> forward;
      List<NDArray> weights;
      switch (opts.get("--net")) {
        case "ours" -> {
          Network net = Network.create(
              new NetworkSpec(ResNetSpec.resnet18(width), List.of(), 0), manager, scope.random("init"));
          ParameterStore ps = new ParameterStore(manager, false);
          forward = x -> net.features(ps, x, true);
          weights = new ArrayList<>();
          for (Parameter p : net.trainableParameters()) {
            weights.add(p.getArray());
          }
        }
        case "bare" -> {
          BareResNet18 bare = new BareResNet18(manager, width);
          forward = bare::forward;
          weights = bare.weights();
        }
        default -> throw new IllegalArgumentException("--net must be ours or bare");
      }
      for (int i = 0; i < warmup; i++) {
        step(manager, forward, weights, batch, size, new long[2]);
      }
      if (!profile.isEmpty()) {
        JniUtils.startProfile(false, false, false);
      }
      long[] nanos = new long[2];
      long cpu0 = processCpuNanos();
      for (int i = 0; i < steps; i++) {
        step(manager, forward, weights, batch, size, nanos);
      }
      long cpu = processCpuNanos() - cpu0;
      if (!profile.isEmpty()) {
        JniUtils.stopProfile(profile);
      }
      double images = (double) batch * steps;
      System.out.printf("threads=%d interop_threads=%d%n", JniUtils.getNumThreads(), JniUtils.getNumInteropThreads());
      System.out.printf("forward_images_per_s=%.3f%n", images / (nanos[0] / 1e9));
      System.out.printf("backward_images_per_s=%.3f%n", images / (nanos[1] / 1e9));
      System.out.printf("images_per_s=%.3f%n", images / ((nanos[0] + nanos[1]) / 1e9));
      // per second of CPU time of the whole process: the work done, whatever the machine's load
      System.out.printf("images_per_cpu_s=%.3f%n", images / (cpu / 1e9));
    }
  }

  /** User plus system CPU time of this process (all threads: libtorch's OpenMP pool, the JVM's), from /proc. */
  static long processCpuNanos() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One step; adds the forward and backward nanoseconds to {@code nanos}. */
  private static void step(
      NDManager manager, Function<NDArray, NDArray> forward, List<NDArray> weights, int batch, int size, long[] nanos) {
    try (NDManager sub = manager.newSubManager()) {
      NDArray x = sub.randomUniform(0, 1, new Shape(batch, 3, size, size));
      try (GradientTape tape = GradientTape.record()) {
        // CPU kernels return when done, so the clock needs no sync between the passes
        long t0 = System.nanoTime();
        NDArray loss = forward.apply(x).mean();
        long t1 = System.nanoTime();
        tape.backward(loss);
        long t2 = System.nanoTime();
        nanos[0] += t1 - t0;
        nanos[1] += t2 - t1;
      }
      for (NDArray w : weights) {
        NDArray g = w.getGradient();
        g.attach(sub);
        g.subi(g); // zeroed in place, as the optimiser does
      }
    }
  }
}
