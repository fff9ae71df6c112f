package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.device.GradientTape;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.NetworkSpec;
import io.robustcl.ml.model.ResNetSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmark behind {@code bench/autoattack.sh} (a main in the test tree, not a unit test):
 * AutoAttack's standard version (l_inf) on a CIFAR ResNet-18 (width 64, random weights, labels =
 * its own predictions so every point starts robust), CPU, one batch. It counts the images each
 * forward pass sees, with and without a gradient tape, then times bare forward and
 * forward+backward passes of the same batch: their cost for those counts is the time inside the
 * network; the rest is the attacks' own work. Prints {@code images_per_s=}, {@code outside_fraction=}
 * and the robust accuracy after each attack.
 */
public final class AutoAttackBenchmark {

    private AutoAttackBenchmark() {}

    public static void main(String[] args) {
        Map<String, String> opts = new HashMap<>(Map.of("--images", "32", "--eps", "0.0313725", "--width", "64",
                "--iterations", "100", "--queries", "5000"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opts.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + opts.keySet());
            }
            opts.put(args[i], args[i + 1]);
        }
        int images = Integer.parseInt(opts.get("--images"));
        double eps = Double.parseDouble(opts.get("--eps"));
        try (ComputeScope scope = ComputeScope.open("cpu", 0)) {
            NDManager m = scope.manager();
            Network net = Network.create(new NetworkSpec(ResNetSpec.resnet18(Integer.parseInt(opts.get("--width"))),
                    List.of(), 10), m, new SplittableRandom(1));
            ParameterStore store = new ParameterStore(m, false);
            long[] forwarded = new long[2]; // [0] without tape, [1] under a tape (followed by a backward)
            AttackedClassifier model = new AttackedClassifier(x -> {
                forwarded[JniUtils.isGradMode() ? 1 : 0] += x.getShape().get(0);
                return net.logits(store, x, false);
            }, FrozenParameters.arraysOf(net.parameters()), 10);
            NDArray x = m.randomUniform(0f, 1f, new Shape(images, 3, 32, 32));
            NDArray labels = net.logits(store, x, false).argMax(1).toType(DataType.INT64, false);
            int iterations = Integer.parseInt(opts.get("--iterations"));
            AttackEnsemble.Budget budget = new AttackEnsemble.Budget(iterations, 9, iterations,
                    Integer.parseInt(opts.get("--queries")), 1);
            AttackEnsemble standard = AttackEnsemble.standard(Norm.LINF, eps, budget,
                    FabAttack.targeted(Norm.LINF, eps).withIterations(iterations),
                    new SquareAttack(Norm.LINF, eps, budget.squareQueries(), 0.8));
            boolean[] robust = new boolean[images];
            java.util.Arrays.fill(robust, true);
            long start = System.nanoTime();
            standard.run(model, x, labels, robust, 0, k -> new SplittableRandom(10 + k), (k, flags) ->
                    System.out.printf("after %s: robust %d/%d at %.1f s%n", standard.components().get(k).name(),
                            AttackEnsemble.indices(flags).length, images, (System.nanoTime() - start) / 1e9));
            double total = (System.nanoTime() - start) / 1e9;
            // the same passes, bare: batch 32 inference forwards, and forward + input-backward with frozen weights
            NDArray batch = m.randomUniform(0f, 1f, new Shape(32, 3, 32, 32));
            double forward = perImage(() -> net.logits(store, batch, false).toFloatArray(), 32);
            double backward;
            try (FrozenParameters frozen = FrozenParameters.freeze(model.parameters())) {
                backward = perImage(() -> {
                    try (NDManager step = m.newSubManager()) {
                        NDArray leaf = batch.duplicate();
                        leaf.attach(step);
                        leaf.setRequiresGradient(true);
                        try (GradientTape tape = GradientTape.record()) {
                            tape.backward(net.logits(store, leaf, false).sum());
                        }
                        leaf.getGradient().toFloatArray();
                    }
                }, 32);
            }
            double inside = forwarded[0] * forward + forwarded[1] * backward;
            System.out.printf("forwarded_images=%d taped_images=%d forward_ms_per_image=%.3f forward_backward_ms_per_image=%.3f%n",
                    forwarded[0], forwarded[1], 1e3 * forward, 1e3 * backward);
            System.out.printf("seconds=%.1f network_seconds=%.1f%n", total, inside);
            System.out.printf("images_per_s=%.4f%n", images / total);
            System.out.printf("outside_fraction=%.3f%n", Math.max(0, 1 - inside / total));
        }
    }

    /** Seconds per image of {@code pass} on a batch, best of 3 after a warm-up. */
    private static double perImage(Runnable pass, int batch) {
        pass.run();
        double best = Double.POSITIVE_INFINITY;
        for (int r = 0; r < 3; r++) {
            long t = System.nanoTime();
            pass.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best / batch;
    }
}
