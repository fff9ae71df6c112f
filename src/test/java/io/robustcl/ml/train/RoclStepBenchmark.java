package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.device.GradientTape;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.NetworkSpec;
import io.robustcl.ml.model.ResNetSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The RoCL training-step benchmark behind {@code bench/rocl-step.sh} (a main in the test tree, run with
 * the test classpath; not a unit test). Modes:
 * <ul>
 *   <li>{@code ours}: full RoCL steps through {@link TrainingLoop} ({@link RoclTraining} with SimCLR
 *       augmentation, PGD-k instance-wise attack, 3-view + adversarial NT-Xent, LARS SGD step);
 *   <li>{@code bound}: the same ResNet-18 + projector passes with nothing else: per step one inference
 *       forward of N images (the attack target), k inference forward+input-backward passes of N images
 *       with parameter gradients off, and training forward+backward of 3N and 2N images with sum() as loss.
 * </ul>
 * Prints {@code images_per_s=<x>} (training images per second, attack included).
 */
public final class RoclStepBenchmark {
  private RoclStepBenchmark() {}

  public static void main(String[] args) {
    Map<String, String> opts = new HashMap<>(Map.of("--mode", "ours", "--batch", "32", "--k", "7", "--steps", "3", "--width", "64",
        "--device", "cpu"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!opts.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + opts.keySet());
      }
      opts.put(args[i], args[i + 1]);
    }
    int batch = Integer.parseInt(opts.get("--batch"));
    int k = Integer.parseInt(opts.get("--k"));
    int steps = Integer.parseInt(opts.get("--steps"));
    int width = Integer.parseInt(opts.get("--width"));
    try (ComputeScope scope = ComputeScope.open(opts.get("--device"), 0)) {
      System.out.println("device=" + scope.device());
      NDManager manager = scope.manager();
      Network network = Network.create(
          new NetworkSpec(ResNetSpec.resnet18(width), NetworkSpec.DEFAULT_PROJECTOR, 0), manager, scope.random());
      double rate = switch (opts.get("--mode")) {
        case "ours" -> ours(network, manager, batch, k, steps);
        case "bound" -> bound(network, manager, batch, k, steps);
        case "profile" -> profile(network, manager, scope.random(), batch, k, steps);
        default -> throw new IllegalArgumentException("--mode must be ours or bound");
      };
      System.out.printf("images_per_s=%.3f%n", rate);
    }
  }

  private static double ours(Network network, NDManager manager, int batch, int k, int steps) {
    RoclTraining.Settings paper = RoclTraining.Settings.paper();
    RoclTraining method = new RoclTraining(network, SimClrAugmentation.builder().build(),
        new RoclTraining.Settings(paper.attack().withSteps(k), paper.loss(), paper.attacked(), paper.target(), paper.tau(), paper.lambda()));
    ModelParameters parameters = ModelParameters.of(network.parameters());
    SgdOptimizer lars = new SgdOptimizer(parameters, SgdSettings.lars(0.9, 1e-6), manager);
    BatchSource random = new BatchSource() {
      @Override
      public int batchesPerEpoch() {
        return steps;
      }

      @Override
      public EpochBatches epoch(int epoch, RandomGenerator r) {
        int count = epoch == 0 ? 1 : steps; // epoch 0: one warm-up step
        return new EpochBatches() {
          int next;

          @Override
          public boolean hasNext() {
            return next < count;
          }

          @Override
          public Batch next(NDManager m) {
            next++;
            return new Batch(m.randomUniform(0, 1, new Shape(batch, 3, 32, 32)), m.zeros(new Shape(batch)), new int[batch]);
          }
        };
      }
    };
    double[] rate = new double[1];
    TrainingListener listener = new TrainingListener() {
      @Override
      public void stepFinished(StepReport report) {}

      @Override
      public void epochFinished(EpochReport report) {
        rate[0] = report.imagesPerSecond();
      }
    };
    TrainingLoop loop = new TrainingLoop(parameters, lars, LearningRateSchedule.constant(0.1), method, random, listener,
        CancellationCheck.never());
    // epoch 0 warms up (allocator, oneDNN primitive caches); epoch 1 is timed
    loop.run(manager, new TrainingPlan("rocl", 2, 0, null));
    return rate[0];
  }

  /** Seconds per phase of a RoCL step, on stderr; returns the images/s of the timed steps. */
  private static double profile(Network network, NDManager manager, RandomGenerator random, int batch, int k, int steps) {
    ParameterStore ps = new ParameterStore(manager, false);
    SimClrAugmentation t = SimClrAugmentation.builder().build();
    io.robustcl.ml.attack.InstanceWiseAttack attack = new io.robustcl.ml.attack.InstanceWiseAttack(
        io.robustcl.ml.attack.PgdAttack.linf(0.0314, 0.007, k), io.robustcl.ml.attack.InstanceWiseAttack.Loss.CONTRASTIVE, 0.5);
    io.robustcl.ml.loss.NtXentLoss ntXent = new io.robustcl.ml.loss.NtXentLoss(0.5);
    SgdOptimizer lars = new SgdOptimizer(ModelParameters.of(network.parameters()), SgdSettings.lars(0.9, 1e-6), manager);
    double[] phase = new double[4];
    long total = 0;
    for (int s = 0; s < steps + 1; s++) {
      try (NDManager sub = manager.newSubManager()) {
        NDArray x = sub.randomUniform(0, 1, new Shape(batch, 3, 32, 32));
        long t0 = System.nanoTime();
        NDArray t1 = t.apply(x, random);
        NDArray t2 = t.apply(x, random);
        t2.getFloat(0, 0, 0, 0); // sync so that the phase is timed on its own
        long a = System.nanoTime();
        NDArray adv = attack.perturb(t1, t2, in -> network.projection(ps, in, false), FrozenParameters.arraysOf(network.parameters()),
            random);
        adv.getFloat(0, 0, 0, 0);
        long b = System.nanoTime();
        NDArray loss;
        try (GradientTape gc = GradientTape.record()) {
          loss = ntXent.loss(network.projection(ps, Views.stack(t1, t2, adv), true), 3)
              .add(ntXent.loss(network.projection(ps, Views.stack(adv, t2), true), 2).div(256f));
          gc.backward(loss);
        }
        loss.getFloat();
        long c = System.nanoTime();
        lars.step(0.1);
        long d = System.nanoTime();
        if (s > 0) {
          phase[0] += (a - t0) / 1e9;
          phase[1] += (b - a) / 1e9;
          phase[2] += (c - b) / 1e9;
          phase[3] += (d - c) / 1e9;
          total += d - t0;
        }
      }
    }
    System.err.printf("per step: augmentation %.2f s, attack %.2f s, loss+backward %.2f s, LARS step %.2f s%n",
        phase[0] / steps, phase[1] / steps, phase[2] / steps, phase[3] / steps);
    return batch * steps / (total / 1e9);
  }

  private static double bound(Network network, NDManager manager, int batch, int k, int steps) {
    ParameterStore ps = new ParameterStore(manager, false);
    SgdOptimizer sgd = new SgdOptimizer(ModelParameters.of(network.parameters()), SgdSettings.sgd(0, 0), manager);
    Shape shape = new Shape(batch, 3, 32, 32);
    long start = 0;
    for (int s = 0; s < steps + 1; s++) {
      if (s == 1) {
        start = System.nanoTime();
      }
      try (NDManager sub = manager.newSubManager()) {
        NDArray x = sub.randomUniform(0, 1, shape);
        network.projection(ps, x, false).getFloat(0, 0); // attack target embedding
        try (FrozenParameters paused = FrozenParameters.freeze(FrozenParameters.arraysOf(network.parameters()))) {
          for (int i = 0; i < k; i++) {
            NDArray in = x.duplicate();
            in.setRequiresGradient(true);
            try (GradientTape gc = GradientTape.record()) {
              gc.backward(network.projection(ps, in, false).sum());
            }
            in.getGradient().getFloat(0, 0, 0, 0);
          }
        }
        try (GradientTape gc = GradientTape.record()) {
          NDArray three = sub.randomUniform(0, 1, new Shape(3L * batch, 3, 32, 32));
          NDArray two = sub.randomUniform(0, 1, new Shape(2L * batch, 3, 32, 32));
          gc.backward(network.projection(ps, three, true).sum().add(network.projection(ps, two, true).sum()));
        }
        sgd.zeroGradients();
      }
    }
    return batch * steps / ((System.nanoTime() - start) / 1e9);
  }
}
