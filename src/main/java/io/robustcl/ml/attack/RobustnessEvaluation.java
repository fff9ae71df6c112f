package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Robust accuracy of a classifier under several attack runs, over a test set processed in chunks
 * whose per-sample robust flags are saved after every attack ({@link EvaluationState}): a killed
 * evaluation resumes at the first attack not done on a chunk and, because every (run, chunk,
 * attack) draws from its own named generator, ends with the same flags as an unbroken one.
 */
public final class RobustnessEvaluation {

    /** One attack run at one threat, with the name its metrics carry. */
    public record Run(String name, AttackEnsemble ensemble) {}

    /** The test images, read a chunk at a time. */
    public interface Images {
        int size();

        /** Images (n, ...) in [0,1] of [from, to), attached to {@code manager}. */
        NDArray images(NDManager manager, int from, int to);

        /** Labels (n) of [from, to), attached to {@code manager}. */
        NDArray labels(NDManager manager, int from, int to);
    }

    /** Progress after each attack on a chunk. */
    @FunctionalInterface
    public interface Listener {
        void progress(Run run, int runIndex, int chunk, int chunks, double robustSoFar);
    }

    /**
     * @param clean clean accuracy (fraction)
     * @param robust per run name, the robust accuracy (fraction)
     * @param afterEach per run name, the robust accuracy after each attack of its ensemble
     * @param robustFlags per run name, the per-sample flags over the whole set
     * @param cleanFlags per sample, whether the clean image is classified correctly
     */
    public record Result(double clean, Map<String, Double> robust, Map<String, List<Double>> afterEach,
            Map<String, boolean[]> robustFlags, boolean[] cleanFlags) {}

    private final List<Run> runs;
    private final int chunkSize;
    private final EvaluationState state;
    private final Function<String, RandomGenerator> randoms;
    private final Runnable cancellation;

    /**
     * @param runs the runs, in order
     * @param chunkSize images per chunk (also the attacks' batch)
     * @param state where flags are kept between attempts
     * @param randoms a generator per name, reproducible from the name (e.g. a seeded scope's children)
     * @param cancellation called between attacks; throws to stop
     */
    public RobustnessEvaluation(List<Run> runs, int chunkSize, EvaluationState state,
            Function<String, RandomGenerator> randoms, Runnable cancellation) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("evaluation: chunk size must be >= 1, got " + chunkSize);
        }
        this.runs = List.copyOf(runs);
        this.chunkSize = chunkSize;
        this.state = state;
        this.randoms = randoms;
        this.cancellation = cancellation;
    }

    public Result evaluate(AttackedClassifier model, Images images, NDManager manager, Listener listener) {
        int size = images.size();
        int chunks = (size + chunkSize - 1) / chunkSize;
        boolean[] clean = new boolean[size];
        List<boolean[]> flags = new ArrayList<>();
        List<long[]> robustAfter = new ArrayList<>();
        for (Run run : runs) {
            flags.add(new boolean[size]);
            robustAfter.add(new long[run.ensemble().components().size()]);
        }
        for (int c = 0; c < chunks; c++) {
            int from = c * chunkSize;
            int to = Math.min(size, from + chunkSize);
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = images.images(scope, from, to);
                NDArray labels = images.labels(scope, from, to).toType(DataType.INT64, false);
                boolean[] correct = model.predict(x).toType(DataType.INT64, false).eq(labels).toBooleanArray();
                System.arraycopy(correct, 0, clean, from, correct.length);
                for (int r = 0; r < runs.size(); r++) {
                    Run run = runs.get(r);
                    int runIndex = r;
                    int chunk = c;
                    EvaluationState.ChunkRecord saved = state.load(r, run.name(), c, to - from).orElse(null);
                    boolean[] robust = saved == null ? correct.clone() : saved.flags();
                    List<Integer> after = new ArrayList<>();
                    if (saved != null) {
                        for (int count : saved.robustAfter()) {
                            after.add(count);
                        }
                    }
                    boolean[] all = flags.get(r);
                    if (after.size() < run.ensemble().components().size()) {
                        cancellation.run();
                        run.ensemble().run(model, x, labels, robust, after.size(),
                                k -> randoms.apply(runIndex + "/" + chunk + "/" + k),
                                (k, now) -> {
                                    after.add(count(now));
                                    int[] counts = after.stream().mapToInt(Integer::intValue).toArray();
                                    state.save(runIndex, EvaluationState.ChunkRecord.of(run.name(), chunk, now, counts));
                                    System.arraycopy(now, 0, all, from, now.length);
                                    listener.progress(run, runIndex, chunk, chunks, fraction(all, to));
                                    cancellation.run();
                                });
                    }
                    System.arraycopy(robust, 0, all, from, robust.length);
                    long[] totals = robustAfter.get(r);
                    for (int k = 0; k < totals.length; k++) {
                        totals[k] += after.get(k);
                    }
                }
            }
        }
        Map<String, Double> robust = new LinkedHashMap<>();
        Map<String, List<Double>> after = new LinkedHashMap<>();
        Map<String, boolean[]> perSample = new LinkedHashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            Run run = runs.get(r);
            robust.put(run.name(), fraction(flags.get(r), size));
            List<Double> steps = new ArrayList<>();
            for (long count : robustAfter.get(r)) {
                steps.add(size == 0 ? Double.NaN : (double) count / size);
            }
            after.put(run.name(), steps);
            perSample.put(run.name(), flags.get(r));
        }
        return new Result(fraction(clean, size), robust, after, perSample, clean);
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    private static double fraction(boolean[] flags, int upTo) {
        if (upTo == 0) {
            return Double.NaN;
        }
        int n = 0;
        for (int i = 0; i < upTo; i++) {
            n += flags[i] ? 1 : 0;
        }
        return (double) n / upTo;
    }
}
