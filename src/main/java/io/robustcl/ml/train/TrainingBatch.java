package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;

/**
 * One training batch.
 *
 * @param images float32 NCHW in [0,1], on the training device
 * @param labels int class labels, shape (N); methods that use no labels ignore them
 */
public record TrainingBatch(NDArray images, NDArray labels) {
  /** The number of images. */
  public int size() {
    return (int) images.getShape().get(0);
  }
}
