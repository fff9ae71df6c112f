package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.NetworkSpec;
import io.robustcl.ml.model.ResNetSpec;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The benchmark behind {@code bench/autoattack.sh} (a main in the test tree, not a unit test):
 * AutoAttack's standard version (l_inf) on a CIFAR ResNet-18 (width 64, random weights, labels =
 * its own predictions so every point starts robust), CPU, one batch.
 *
 * <p>Time outside the network's passes: the same attacks, same batch and budget, run again on a null
 * network (a linear map that costs nothing and that no attack can break, so every iteration and query
 * runs, as on the ResNet when nothing breaks); its wall time is the attacks' own work (Java
 * bookkeeping, small tensor ops, copies, host syncs), and {@code outside_fraction} = that time / the
 * ResNet run's time. Both runs share the process and, roughly, the machine's load. Forward passes of
 * the ResNet run are also timed where they run (on a CPU PyTorch's ops are synchronous). A Java Flight
 * Recorder profile of the null run ({@link PassProfile}) names where the attacks' own time goes.
 * Prints {@code images_per_s=}, {@code outside_fraction=} and the robust accuracy after each attack.
 */
public final class AutoAttackBenchmark {

    private AutoAttackBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>(Map.of("--images", "32", "--eps", "0.0313725", "--width", "64",
                "--iterations", "100", "--queries", "5000", "--sample-ms", "10"));
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
            // per batch size: [0] images and [1] nanos of forwards without a tape, [2], [3] under a tape
            Map<Long, long[]> passes = new TreeMap<>();
            AttackedClassifier model = new AttackedClassifier(x -> {
                long batch = x.getShape().get(0);
                int kind = JniUtils.isGradMode() ? 2 : 0;
                long t = System.nanoTime();
                NDArray logits = net.logits(store, x, false);
                long[] tally = passes.computeIfAbsent(batch, b -> new long[4]);
                tally[kind] += batch;
                tally[kind + 1] += System.nanoTime() - t;
                return logits;
            }, FrozenParameters.arraysOf(net.parameters()), 10);
            NDArray x = m.randomUniform(0f, 1f, new Shape(images, 3, 32, 32));
            NDArray labels = net.logits(store, x, false).argMax(1).toType(DataType.INT64, false);
            int iterations = Integer.parseInt(opts.get("--iterations"));
            AttackEnsemble.Budget budget = new AttackEnsemble.Budget(iterations, 9, iterations,
                    Integer.parseInt(opts.get("--queries")), 1);
            AttackEnsemble standard = AttackEnsemble.standard(Norm.LINF, eps, budget,
                    FabAttack.targeted(Norm.LINF, eps).withIterations(iterations),
                    new SquareAttack(Norm.LINF, eps, budget.squareQueries(), 0.8));
            long gcBefore = gcMillis();
            long start = System.nanoTime();
            int robustLeft = run(standard, model, x, labels, start);
            double total = (System.nanoTime() - start) / 1e9;
            double gc = (gcMillis() - gcBefore) / 1e3;
            double forward = 0;
            for (Map.Entry<Long, long[]> entry : passes.entrySet()) {
                long[] t = entry.getValue();
                forward += (t[1] + t[3]) / 1e9;
                System.out.printf("batch %d: %d images forward, %d under a tape%n", entry.getKey(), t[0], t[2]);
            }
            System.out.printf("seconds=%.1f forward_seconds=%.1f gc_seconds=%.1f%n", total, forward, gc);
            System.out.printf("images_per_s=%.4f%n", images / total);

            // The same attacks, same batch and budget, on a network that costs nothing: a linear map whose
            // bias keeps every point far from the boundary, so (as on the ResNet when nothing breaks) every
            // restart, target, iteration and query runs. Its wall time is the attacks' own work.
            if (robustLeft < images) {
                System.out.println("warning: the ResNet run broke points, so it did less work than the null run below;"
                        + " outside_fraction is then an upper bound");
            }
            AttackedClassifier free = nullNetwork(m, 3 * 32 * 32, 10);
            NDArray freeLabels = free.predict(x).toType(DataType.INT64, false);
            long nullStart = System.nanoTime();
            PassProfile profile = PassProfile.of(() -> run(standard, free, x, freeLabels, nullStart),
                    Duration.ofMillis(Integer.parseInt(opts.get("--sample-ms")))).profile();
            double outside = (System.nanoTime() - nullStart) / 1e9;
            System.out.printf("null_network_seconds=%.1f (sampled every %s ms: %d samples)%n", outside,
                    opts.get("--sample-ms"), profile.samples());
            int shown = 0;
            for (Map.Entry<String, Long> site : profile.outside().entrySet()) {
                if (shown++ == 15) {
                    break;
                }
                System.out.printf("  %5.1f%% of the attacks' own time  %s%n", 100.0 * site.getValue() / profile.samples(),
                        site.getKey());
            }
            System.out.printf("outside_fraction=%.3f%n", outside / total);
        }
    }

    /** Runs the ensemble on every image, printing the robust count after each attack; returns the last. */
    private static int run(AttackEnsemble ensemble, AttackedClassifier model, NDArray x, NDArray labels, long start) {
        boolean[] robust = new boolean[(int) x.getShape().get(0)];
        Arrays.fill(robust, true);
        ensemble.run(model, x, labels, robust, 0, k -> new SplittableRandom(10 + k), (k, flags) ->
                System.out.printf("after %s: robust %d/%d at %.1f s%n", ensemble.components().get(k).name(),
                        AttackEnsemble.indices(flags).length, robust.length, (System.nanoTime() - start) / 1e9));
        return AttackEnsemble.indices(robust).length;
    }

    /** z = W x + b with W ~ N(0, 1e-4) and b = (100, 0, ..., 0): class 0 everywhere, margin about 100. */
    private static AttackedClassifier nullNetwork(NDManager m, int features, int classes) {
        NDArray weight = m.randomNormal(0f, 1e-4f, new Shape(features, classes), DataType.FLOAT32);
        float[] b = new float[classes];
        b[0] = 100f;
        NDArray bias = m.create(b);
        weight.setRequiresGradient(true);
        return new AttackedClassifier(x -> x.reshape(x.getShape().get(0), -1).matMul(weight).add(bias), List.of(weight),
                classes);
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, bean.getCollectionTime());
        }
        return total;
    }
}
