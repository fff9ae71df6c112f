package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The named state arrays of a model, in a fixed order: what optimisers update and checkpoints save.
 * Names are unique.
 */
public record ModelParameters(List<ModelParameter> all) {
  public ModelParameters {
    all = List.copyOf(all);
    Set<String> seen = new HashSet<>();
    for (ModelParameter p : all) {
      if (!seen.add(p.name())) {
        throw new IllegalArgumentException("duplicate parameter name " + p.name());
      }
    }
  }

  /**
   * From a DJL block's initialised parameters: weights, biases, gamma and beta are trainable
   * (when they require a gradient); running mean and variance are buffers. LARS adaptation follows
   * the parameter type: only {@code WEIGHT} parameters of rank >= 2 are layer-adapted.
   */
  public static ModelParameters of(ParameterList list) {
    List<ModelParameter> out = new ArrayList<>();
    for (Pair<String, Parameter> pair : list) {
      Parameter p = pair.getValue();
      if (!p.isInitialized()) {
        throw new IllegalStateException("parameter " + pair.getKey() + " is not initialised; initialise the block first");
      }
      NDArray array = p.getArray();
      Parameter.Type type = p.getType();
      boolean statistic = type == Parameter.Type.RUNNING_MEAN || type == Parameter.Type.RUNNING_VAR;
      if (statistic || !p.requiresGradient()) {
        out.add(ModelParameter.buffer(pair.getKey(), array));
      } else {
        boolean adapted = type == Parameter.Type.WEIGHT && array.getShape().dimension() >= 2;
        out.add(new ModelParameter(pair.getKey(), array, true, adapted));
      }
    }
    return new ModelParameters(out);
  }

  /** Concatenation of several parameter sets (e.g. encoder, projector, head); names must stay unique. */
  public static ModelParameters concat(ModelParameters... parts) {
    List<ModelParameter> out = new ArrayList<>();
    for (ModelParameters p : parts) {
      out.addAll(p.all());
    }
    return new ModelParameters(out);
  }

  /** The parameters an optimiser updates. */
  public List<ModelParameter> trainable() {
    return all.stream().filter(ModelParameter::trainable).toList();
  }

  /** Switches gradient computation on or off for every trainable array. */
  public void setRequiresGradient(boolean requires) {
    for (ModelParameter p : trainable()) {
      p.array().setRequiresGradient(requires);
    }
  }
}
