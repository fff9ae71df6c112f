package io.robustcl.ml.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.jspecify.annotations.Nullable;

/** The linear classifier l: (N, d) features to (N, classes) logits, with bias. */
public final class LinearHead extends ChainedBlock {

  private final Block linear;

  /** A head with {@code classes} outputs. */
  public LinearHead(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("a linear head needs at least one class, got " + classes);
    }
    linear = addChildBlock("linear", Linear.builder().setUnits(classes).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, @Nullable PairList<String, Object> params) {
    return linear.forward(ps, inputs, training, params);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    linear.initialize(manager, dataType, inputShapes);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return linear.getOutputShapes(inputShapes);
  }
}
