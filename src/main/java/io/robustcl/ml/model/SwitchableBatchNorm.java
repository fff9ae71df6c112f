package io.robustcl.ml.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.jspecify.annotations.Nullable;

/**
 * Two batch norms over the same channels, one for clean and one for adversarial inputs ("dual BN",
 * ASCL table 8; Xie et al. 2020's auxiliary BN): each keeps its own affine parameters and running
 * statistics; the forward flag {@link #ADVERSARIAL_FLAG} picks the adversarial one.
 */
final class SwitchableBatchNorm extends ChainedBlock {

  /** Forward-parameter key; {@code Boolean.TRUE} routes through the adversarial batch norm. */
  static final String ADVERSARIAL_FLAG = "robustcl.adversarialBn";

  private final Block clean;
  private final Block adversarial;

  private SwitchableBatchNorm() {
    clean = addChildBlock("clean", newBatchNorm());
    adversarial = addChildBlock("adversarial", newBatchNorm());
  }

  /** A plain DJL batch norm, or a switchable pair when {@code dual}. */
  static Block create(boolean dual) {
    return dual ? new SwitchableBatchNorm() : newBatchNorm();
  }

  /** Whether the forward flags ask for the adversarial batch norms. */
  static boolean adversarial(@Nullable PairList<String, Object> params) {
    return params != null && Boolean.TRUE.equals(params.get(ADVERSARIAL_FLAG));
  }

  // DJL's defaults equal PyTorch's BatchNorm2d: eps 1e-5, DJL momentum 0.9 = torch momentum 0.1.
  private static Block newBatchNorm() {
    return BatchNorm.builder().optAxis(1).build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, @Nullable PairList<String, Object> params) {
    Block chosen = adversarial(params) ? adversarial : clean;
    return chosen.forward(ps, inputs, training, params);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    clean.initialize(manager, dataType, inputShapes);
    adversarial.initialize(manager, dataType, inputShapes);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
