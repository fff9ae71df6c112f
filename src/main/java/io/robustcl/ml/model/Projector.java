package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The projection head g: linear layers (with bias) of the given output sizes and a ReLU between
 * consecutive ones; by default Linear d->2048, ReLU, Linear 2048->128 (SimCLR; RoCL's public code).
 * Input (N, d), output (N, last dim).
 */
public final class Projector extends ChainedBlock {

  private final List<Block> layers = new ArrayList<>();

  /** A projector whose linear layers output {@code dims} in order; at least one dim. */
  public Projector(List<Integer> dims) {
    if (dims.isEmpty()) {
      throw new IllegalArgumentException("a projector needs at least one layer");
    }
    for (int i = 0; i < dims.size(); i++) {
      layers.add(addChildBlock("linear" + (i + 1), Linear.builder().setUnits(dims.get(i)).build()));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, @Nullable PairList<String, Object> params) {
    NDArray out = inputs.singletonOrThrow();
    for (int i = 0; i < layers.size(); i++) {
      if (i > 0) {
        out = Activation.relu(out);
      }
      out = apply(layers.get(i), ps, out, training, params);
    }
    return new NDList(out);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    initializeChain(manager, dataType, inputShapes[0], layers.toArray(new Block[0]));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {chainShape(inputShapes[0], layers.toArray(new Block[0]))};
  }
}
