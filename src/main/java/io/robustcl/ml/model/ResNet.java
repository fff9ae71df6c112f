package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.robustcl.ml.device.HostTransfer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The encoder f: a ResNet with the CIFAR stem (3x3 stride-1 conv, BN, ReLU, no max-pool), residual stages
 * of {@code width * 2^i} planes (stride 2 from the second stage on), and global average pooling; the
 * output is the penultimate feature, shape (N, {@link ResNetSpec#featureDim()}). There is no FC layer.
 *
 * <p>Input: float32 NCHW pixels in [0,1] with 3 channels; the spec's {@link InputNormalization}, if any,
 * is applied first. Forward flag {@link SwitchableBatchNorm#ADVERSARIAL_FLAG} selects the adversarial
 * batch norms of a dual-BN encoder.
 */
public final class ResNet extends ChainedBlock {

  private final ResNetSpec spec;
  private final @Nullable float[] mean;
  private final @Nullable float[] std;
  private final Block stemConv;
  private final Block stemNorm;
  private final List<Block> blocks = new ArrayList<>();
  private NDArray @Nullable [] normalisationConstants;

  /** Builds the (uninitialised) encoder for {@code spec}. */
  public ResNet(ResNetSpec spec) {
    this.spec = spec;
    InputNormalization norm = spec.normalization();
    if (norm != null) {
      mean = toFloats(norm.mean());
      std = toFloats(norm.std());
    } else {
      mean = null;
      std = null;
    }
    stemConv = addChildBlock("stem_conv", Convolutions.conv3x3(spec.width(), 1));
    stemNorm = addChildBlock("stem_bn", SwitchableBatchNorm.create(spec.dualBn()));
    int in = spec.width();
    List<Integer> stages = spec.stages();
    for (int s = 0; s < stages.size(); s++) {
      int planes = spec.width() << s;
      for (int b = 0; b < stages.get(s); b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        blocks.add(
            addChildBlock(
                "stage" + (s + 1) + "_block" + (b + 1),
                new ResidualBlock(in, planes, stride, spec.bottleneck(), spec.dualBn())));
        in = planes * spec.expansion();
      }
    }
  }

  /**
   * The normalisation's mean and std as (1, C, 1, 1) arrays on x's device, made once per device and
   * kept with the parameters (they live as long as the network): made per forward, they were two
   * host-to-device copies on every forward, attack iterations included.
   */
  private synchronized NDArray[] normalisation(NDArray x) {
    if (normalisationConstants == null || !normalisationConstants[0].getDevice().equals(x.getDevice())) {
      NDManager owner = stemConv.getParameters().valueAt(0).getArray().getManager();
      Shape perChannel = new Shape(1, ResNetSpec.CHANNELS, 1, 1);
      NDArray m = HostTransfer.upload(owner, x.getDevice(), FloatBuffer.wrap(mean), perChannel, DataType.FLOAT32);
      NDArray s = HostTransfer.upload(owner, x.getDevice(), FloatBuffer.wrap(std), perChannel, DataType.FLOAT32);
      normalisationConstants = new NDArray[] {m, s};
    }
    return normalisationConstants;
  }

  private static float[] toFloats(List<Double> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).floatValue();
    }
    return out;
  }

  /** The architecture this encoder was built from. */
  public ResNetSpec spec() {
    return spec;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, @Nullable PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    if (x.getShape().dimension() != 4 || x.getShape().get(1) != ResNetSpec.CHANNELS) {
      throw new IllegalArgumentException(
          "ResNet expects NCHW images with " + ResNetSpec.CHANNELS + " channels, got shape " + x.getShape());
    }
    if (SwitchableBatchNorm.adversarial(params) && !spec.dualBn()) {
      throw new IllegalStateException("adversarial batch norm requested on an encoder built without dualBn");
    }
    if (mean != null && std != null) {
      NDArray[] constants = normalisation(x);
      x = x.sub(constants[0]).div(constants[1]);
    }
    NDArray out = Activation.relu(apply(stemNorm, ps, apply(stemConv, ps, x, training, params), training, params));
    for (Block block : blocks) {
      out = apply(block, ps, out, training, params);
    }
    // global average pooling: (N, C, H, W) -> (N, C)
    Shape s = out.getShape();
    return new NDList(Pool.globalAvgPool2d(out).reshape(s.get(0), s.get(1)));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    if (in.dimension() != 4 || in.get(1) != ResNetSpec.CHANNELS) {
      throw new IllegalArgumentException(
          "ResNet input shape must be (N, " + ResNetSpec.CHANNELS + ", H, W), got " + in);
    }
    Shape shape = initializeChain(manager, dataType, in, stemConv, stemNorm);
    initializeChain(manager, dataType, shape, blocks.toArray(new Block[0]));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), spec.featureDim())};
  }
}
