package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.robustcl.ml.model.Network;
import java.util.ArrayList;
import java.util.List;

/** The arrays of a network that attacks switch to no-gradient, and view stacking. */
final class ParameterArrays {
  private ParameterArrays() {}

  /** Every parameter array of the network (attacks switch their gradients off and back). */
  static List<NDArray> of(Network network) {
    List<NDArray> out = new ArrayList<>();
    for (Pair<String, Parameter> p : network.parameters()) {
      out.add(p.getValue().getArray());
    }
    return List.copyOf(out);
  }

  /** Stacks views along the batch axis, view-major (the layout NT-Xent and SupCon expect). */
  static NDArray stack(NDArray... views) {
    return NDArrays.concat(new NDList(views), 0);
  }
}
