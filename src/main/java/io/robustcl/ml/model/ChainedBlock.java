package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.jspecify.annotations.Nullable;

/** Base of our blocks: helpers to run and initialise single-input child blocks in a chain. */
abstract class ChainedBlock extends AbstractBlock {

  /** Runs one single-input, single-output child, passing the forward flags through. */
  protected static NDArray apply(
      Block child, ParameterStore ps, NDArray x, boolean training, @Nullable PairList<String, Object> params) {
    return child.forward(ps, new NDList(x), training, params).singletonOrThrow();
  }

  /** Initialises {@code blocks} one after the other from {@code input}; returns the last output shape. */
  protected static Shape initializeChain(NDManager manager, DataType type, Shape input, Block... blocks) {
    Shape shape = input;
    for (Block b : blocks) {
      b.initialize(manager, type, shape);
      shape = b.getOutputShapes(new Shape[] {shape})[0];
    }
    return shape;
  }

  /** The output shape of {@code blocks} applied in order to {@code input}. */
  protected static Shape chainShape(Shape input, Block... blocks) {
    Shape shape = input;
    for (Block b : blocks) {
      shape = b.getOutputShapes(new Shape[] {shape})[0];
    }
    return shape;
  }
}
