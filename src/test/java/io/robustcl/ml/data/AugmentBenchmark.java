package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Throughput of {@link SimClrAugmentation}: two views of each of N random 32x32 uint8 images,
 * in batches, from the {@link ImageSet} to augmented float arrays on the CPU. Run by
 * {@code bench/augment.sh}; prints {@code views_per_s=<float>}.
 * Arguments: {@code --images N} (2000), {@code --batch B} (500), {@code --repeats R} (5 timed passes
 * after one warm-up pass; the median pass is reported). Threads are set with the
 * system property {@code ai.djl.pytorch.num_threads}.
 */
public final class AugmentBenchmark {
    private AugmentBenchmark() {}

    public static void main(String[] args) {
        int images = 2000;
        int batch = 500;
        int repeats = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --images N --batch B --repeats R)");
            }
        }
        SplittableRandom pixels = new SplittableRandom(0);
        List<byte[]> data = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            byte[] image = new byte[3 * 32 * 32];
            pixels.nextBytes(image);
            data.add(image);
        }
        ImageSet set = ImageSet.ofBytes(List.of("x"), 3, 32, 32, data, new int[images]);
        SimClrAugmentation t = SimClrAugmentation.builder().build();
        BatchLoader loader = new BatchLoader(set, batch, true, false, 0);
        SplittableRandom random = new SplittableRandom(1);
        try (NDManager manager = NDManager.newBaseManager()) {
            run(loader, t, random, manager, 0); // warm-up: loads the native library, JIT
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            double[] rates = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long cpuStart = os.getProcessCpuTime();
                long start = System.nanoTime();
                long views = run(loader, t, random, manager, 1 + r);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
                rates[r] = views / seconds;
                // on a shared machine wall time depends on the load; CPU time per view does not
                System.out.printf("ours pass %d: %d views in %.2f s wall, %.2f s CPU (%.0f views/s, %.0f views per CPU-second)%n",
                        r + 1, views, seconds, cpuSeconds, rates[r], views / cpuSeconds);
            }
            java.util.Arrays.sort(rates);
            System.out.printf("views_per_s=%.1f%n", rates[repeats / 2]);
        }
    }

    private static long run(BatchLoader loader, SimClrAugmentation t, SplittableRandom random, NDManager manager, int epoch) {
        long views = 0;
        for (var it = loader.epoch(manager, epoch); it.hasNext(); ) {
            try (Batch b = it.next(); NDManager sub = manager.newSubManager()) {
                NDArray x = b.images();
                NDArray v1 = t.apply(x, random);
                NDArray v2 = t.apply(x, random);
                v1.attach(sub);
                v2.attach(sub);
                // wait for the results as the reference does (its tensors are materialised)
                views += v1.getShape().get(0) + v2.getShape().get(0);
                v1.get("0, 0, 0, 0").getFloat();
                v2.get("0, 0, 0, 0").getFloat();
            }
        }
        return views;
    }
}
