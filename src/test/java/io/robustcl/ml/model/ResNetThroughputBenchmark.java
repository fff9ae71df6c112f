package io.robustcl.ml.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.device.ComputeScope;
import java.util.List;

/**
 * Prints the training-mode forward+backward throughput of our ResNet encoder (not a test).
 *
 * <p>Usage (from the worktree, after {@code mvn -o -q test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt}):
 * {@code java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -cp
 * target/classes:target/test-classes:$(cat target/cp.txt) io.robustcl.ml.model.ResNetThroughputBenchmark
 * [depth=18] [width=64] [batch=32] [size=32] [steps=10]}
 *
 * <p>For ResNet-18 it also times {@link BareResNet18} (the same convolutions and batch norms as bare DJL
 * calls), interleaving the two step by step so that load from other processes hits both alike, and ends
 * with {@code ours=<x> bare=<y> ratio=<x/y>}.
 *
 * <p>Line {@code images_per_s=<x>}: images per second of forward (training mode, batch statistics)
 * plus backward to every weight, after 2 warm-up steps; each step's temporaries in a sub-manager and
 * gradients zeroed in place, as a training loop would.
 */
public final class ResNetThroughputBenchmark {

  private ResNetThroughputBenchmark() {}

  public static void main(String[] args) {
    int depth = arg(args, 0, 18);
    int width = arg(args, 1, 64);
    int batch = arg(args, 2, 32);
    int size = arg(args, 3, 32);
    int steps = arg(args, 4, 10);
    try (ComputeScope scope = ComputeScope.open("auto", 0)) {
      ResNetSpec encoder = depth == 50 ? ResNetSpec.resnet50(width) : ResNetSpec.resnet18(width);
      Network net = Network.create(new NetworkSpec(encoder, List.of(), 0), scope.manager(), scope.random("init"));
      ParameterStore ps = new ParameterStore(scope.manager(), false);
      List<Parameter> params = net.trainableParameters();
      for (int i = 0; i < 2; i++) {
        step(scope, net, ps, params, batch, size);
      }
      BareResNet18 bare = depth == 18 ? new BareResNet18(scope.manager(), width) : null;
      if (bare != null) {
        bareStep(scope, bare, batch, size);
      }
      long ours = 0;
      long bareNanos = 0;
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        step(scope, net, ps, params, batch, size);
        ours += System.nanoTime() - t0;
        if (bare != null) {
          t0 = System.nanoTime();
          bareStep(scope, bare, batch, size);
          bareNanos += System.nanoTime() - t0;
        }
      }
      System.out.printf("resnet%d width=%d batch=%d size=%d steps=%d device=%s%n",
          depth, width, batch, size, steps, scope.device());
      double oursRate = batch * steps / (ours / 1e9);
      System.out.printf("images_per_s=%.2f%n", oursRate);
      if (bare != null) {
        double bareRate = batch * steps / (bareNanos / 1e9);
        System.out.printf("ours=%.2f bare=%.2f ratio=%.3f%n", oursRate, bareRate, oursRate / bareRate);
      }
    }
  }

  private static void step(ComputeScope scope, Network net, ParameterStore ps, List<Parameter> params, int batch, int size) {
    try (NDManager sub = scope.manager().newSubManager()) {
      NDArray x = sub.randomUniform(0, 1, new Shape(batch, 3, size, size));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(net.features(ps, x, true).mean());
      }
      for (Parameter p : params) {
        NDArray g = p.getArray().getGradient();
        g.attach(sub);
        g.subi(g);
      }
      // the one host sync per step, so that timing covers the finished work
      x.getFloat(0, 0, 0, 0);
    }
  }

  private static void bareStep(ComputeScope scope, BareResNet18 bare, int batch, int size) {
    try (NDManager sub = scope.manager().newSubManager()) {
      NDArray x = sub.randomUniform(0, 1, new Shape(batch, 3, size, size));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(bare.forward(x).mean());
      }
      for (NDArray w : bare.weights()) {
        NDArray g = w.getGradient();
        g.attach(sub);
        g.subi(g);
      }
      x.getFloat(0, 0, 0, 0);
    }
  }

  private static int arg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }
}
