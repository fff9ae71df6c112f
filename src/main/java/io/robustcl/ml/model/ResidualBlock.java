package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A residual block: {@code relu(main(x) + shortcut(x))}, where main is conv-BN-ReLU-...-conv-BN and
 * shortcut is identity, or a strided 1x1 conv + BN when the shape changes (option B of He et al. 2016).
 *
 * <p>BasicBlock (ResNet-18/34): 3x3(planes, stride), 3x3(planes). Bottleneck (ResNet-50): 1x1(planes),
 * 3x3(planes, stride), 1x1(4 planes); the stride on the 3x3 conv as in the papers' code.
 */
final class ResidualBlock extends ChainedBlock {

  private final List<Block> convs = new ArrayList<>();
  private final List<Block> norms = new ArrayList<>();
  private final @Nullable Block shortcutConv;
  private final @Nullable Block shortcutNorm;

  ResidualBlock(int inChannels, int planes, int stride, boolean bottleneck, boolean dualBn) {
    int out;
    if (bottleneck) {
      out = planes * 4;
      addLayer(Convolutions.conv1x1(planes, 1), dualBn);
      addLayer(Convolutions.conv3x3(planes, stride), dualBn);
      addLayer(Convolutions.conv1x1(out, 1), dualBn);
    } else {
      out = planes;
      addLayer(Convolutions.conv3x3(planes, stride), dualBn);
      addLayer(Convolutions.conv3x3(planes, 1), dualBn);
    }
    if (stride != 1 || inChannels != out) {
      shortcutConv = addChildBlock("shortcut_conv", Convolutions.conv1x1(out, stride));
      shortcutNorm = addChildBlock("shortcut_bn", SwitchableBatchNorm.create(dualBn));
    } else {
      shortcutConv = null;
      shortcutNorm = null;
    }
  }

  private void addLayer(Block conv, boolean dualBn) {
    int i = convs.size() + 1;
    convs.add(addChildBlock("conv" + i, conv));
    norms.add(addChildBlock("bn" + i, SwitchableBatchNorm.create(dualBn)));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, @Nullable PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray out = x;
    int last = convs.size() - 1;
    for (int i = 0; i <= last; i++) {
      out = apply(norms.get(i), ps, apply(convs.get(i), ps, out, training, params), training, params);
      if (i < last) {
        out = Activation.relu(out);
      }
    }
    NDArray shortcut = x;
    if (shortcutConv != null && shortcutNorm != null) {
      shortcut = apply(shortcutNorm, ps, apply(shortcutConv, ps, x, training, params), training, params);
    }
    return new NDList(Activation.relu(out.add(shortcut)));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape shape = inputShapes[0];
    for (int i = 0; i < convs.size(); i++) {
      shape = initializeChain(manager, dataType, shape, convs.get(i), norms.get(i));
    }
    if (shortcutConv != null && shortcutNorm != null) {
      initializeChain(manager, dataType, inputShapes[0], shortcutConv, shortcutNorm);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {chainShape(inputShapes[0], convs.toArray(new Block[0]))};
  }
}
