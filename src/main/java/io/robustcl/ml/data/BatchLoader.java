package io.robustcl.ml.data;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Cuts an {@link ImageSet} into batches. With shuffling, epoch {@code e} visits the samples
 * in an order that depends only on ({@code seed}, {@code e}), so a resumed run sees the same
 * batches as an uninterrupted one.
 */
public final class BatchLoader {
    private final ImageSet set;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;

    /**
     * @param batchSize samples per batch (> 0)
     * @param shuffle   whether each epoch permutes the samples
     * @param dropLast  whether a last batch smaller than {@code batchSize} is dropped
     * @param seed      seed of the per-epoch permutations
     */
    public BatchLoader(ImageSet set, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.set = set;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
    }

    public ImageSet set() { return set; }

    public int batchSize() { return batchSize; }

    /** Batches in one epoch. */
    public int batchesPerEpoch() {
        return dropLast ? set.size() / batchSize : (set.size() + batchSize - 1) / batchSize;
    }

    /** The order in which epoch {@code epoch} visits the samples (all of them, before drop-last). */
    public int[] order(int epoch) {
        int[] order = ImageSet.range(set.size());
        if (shuffle) {
            // a distinct, reproducible stream per (seed, epoch)
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 1);
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The sample indices of every batch of epoch {@code epoch}. */
    public int[][] batchIndices(int epoch) {
        int[] order = order(epoch);
        int[][] out = new int[batchesPerEpoch()][];
        for (int b = 0; b < out.length; b++) {
            int from = b * batchSize;
            out[b] = Arrays.copyOfRange(order, from, Math.min(from + batchSize, order.length));
        }
        return out;
    }

    /**
     * The batches of epoch {@code epoch}, created lazily on {@code manager}; the caller closes
     * each batch (or a sub-manager it passed here).
     */
    public Iterator<Batch> epoch(NDManager manager, int epoch) {
        int[][] batches = batchIndices(epoch);
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() { return next < batches.length; }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int[] indices = batches[next++];
                return new Batch(set.images(manager, indices), set.labels(manager, indices), indices);
            }
        };
    }
}
