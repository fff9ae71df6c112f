package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import java.util.random.RandomGenerator;

/** A random transformation of a batch of float32 NCHW images in [0,1], computed on their device. */
@FunctionalInterface
public interface ImageTransform {
    /**
     * Returns a new array (attached to {@code images}' manager) with the transformed batch;
     * {@code images} is left unchanged. Per-sample parameters are drawn from {@code random}.
     */
    NDArray apply(NDArray images, RandomGenerator random);
}
