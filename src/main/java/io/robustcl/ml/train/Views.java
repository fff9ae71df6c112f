package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/** Views of one batch stacked along the batch axis, view-major: the layout NT-Xent and SupCon expect. */
final class Views {
  private Views() {}

  static NDArray stack(NDArray... views) {
    return NDArrays.concat(new NDList(views), 0);
  }
}
