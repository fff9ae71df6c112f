package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;

/**
 * One batch: {@code images} float32 NCHW in [0,1], {@code labels} int64 (N), and the indices
 * of the samples in the source {@link ImageSet}. Closing the batch closes both arrays.
 */
public record Batch(NDArray images, NDArray labels, int[] indices) implements AutoCloseable {
    public int size() { return indices.length; }

    @Override
    public void close() {
        images.close();
        labels.close();
    }
}
