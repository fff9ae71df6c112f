package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;

/**
 * One named array of a model's state.
 *
 * @param name unique name within the model, used to match checkpoint entries
 * @param array the array itself (updated in place by optimisers and checkpoint restores)
 * @param trainable true if the optimiser updates it from its gradient (false for batch-norm
 *     running statistics, which are saved but not optimised)
 * @param layerAdapted true if LARS adapts its learning rate and applies weight decay to it; false
 *     for biases and batch-norm scale/shift, as in the LARS paper and SimCLR's code
 */
public record ModelParameter(String name, NDArray array, boolean trainable, boolean layerAdapted) {
  /**
   * A parameter classified by shape: arrays of rank >= 2 (convolution and linear weights) are
   * layer-adapted, rank-1 arrays (biases, batch-norm gamma and beta) are not.
   */
  public static ModelParameter trainable(String name, NDArray array) {
    return new ModelParameter(name, array, true, array.getShape().dimension() >= 2);
  }

  /** State that is saved and restored but never optimised (e.g. batch-norm running mean). */
  public static ModelParameter buffer(String name, NDArray array) {
    return new ModelParameter(name, array, false, false);
  }
}
