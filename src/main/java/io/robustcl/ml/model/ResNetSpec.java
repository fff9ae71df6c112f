package io.robustcl.ml.model;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The architecture of a CIFAR-stem ResNet encoder f (He et al. 2016, with the 3x3 stride-1 stem and no
 * max-pool of the papers' code).
 *
 * @param depth 18 (BasicBlock, [2,2,2,2]), 34 (BasicBlock, [3,4,6,3]) or 50 (Bottleneck, [3,4,6,3]); picks the
 *     block type and the default stage layout
 * @param width channels of the stem and first stage (64 = the standard network; e.g. 16 for CPU
 *     profiles); stage i has {@code width * 2^i} (times 4 after a Bottleneck)
 * @param blocksPerStage blocks per stage, 1 to 4 stages of at least one block; empty means the standard
 *     layout for {@code depth} (a shorter list or fewer blocks gives a "small ResNet")
 * @param dualBn keep a second set of batch norms for adversarial inputs (ASCL table 8)
 * @param normalization standardisation applied inside the encoder, or null for none
 */
public record ResNetSpec(
    int depth,
    int width,
    List<Integer> blocksPerStage,
    boolean dualBn,
    @Nullable InputNormalization normalization) {

  /** Image channels the stem expects (RGB). */
  public static final int CHANNELS = 3;

  public ResNetSpec {
    if (depth != 18 && depth != 34 && depth != 50) {
      throw new IllegalArgumentException("ResNet depth must be 18, 34 or 50, got " + depth);
    }
    if (width < 1 || width > 4096) {
      throw new IllegalArgumentException("ResNet width must be in 1..4096, got " + width);
    }
    blocksPerStage = List.copyOf(blocksPerStage);
    if (blocksPerStage.size() > 4 || blocksPerStage.stream().anyMatch(b -> b < 1)) {
      throw new IllegalArgumentException(
          "ResNet blocksPerStage must list 1 to 4 stages of at least one block (or be empty), got "
              + blocksPerStage);
    }
  }

  /** ResNet-18 with the given base width, single batch norm, no input normalisation. */
  public static ResNetSpec resnet18(int width) {
    return new ResNetSpec(18, width, List.of(), false, null);
  }

  /** ResNet-50 with the given base width, single batch norm, no input normalisation. */
  public static ResNetSpec resnet50(int width) {
    return new ResNetSpec(50, width, List.of(), false, null);
  }

  /** This spec with another stage layout. */
  public ResNetSpec withBlocks(List<Integer> blocks) {
    return new ResNetSpec(depth, width, blocks, dualBn, normalization);
  }

  /** This spec with dual batch norm switched on or off. */
  public ResNetSpec withDualBn(boolean dual) {
    return new ResNetSpec(depth, width, blocksPerStage, dual, normalization);
  }

  /** This spec with the given input normalisation (null for none). */
  public ResNetSpec withNormalization(@Nullable InputNormalization norm) {
    return new ResNetSpec(depth, width, blocksPerStage, dualBn, norm);
  }

  /** Whether blocks are Bottlenecks (depth 50) rather than BasicBlocks. */
  public boolean bottleneck() {
    return depth == 50;
  }

  /** Output channels of a block relative to its planes: 4 for Bottleneck, 1 for BasicBlock. */
  public int expansion() {
    return bottleneck() ? 4 : 1;
  }

  /** The effective stage layout ({@code blocksPerStage}, or the standard one for {@code depth}). */
  public List<Integer> stages() {
    if (!blocksPerStage.isEmpty()) {
      return blocksPerStage;
    }
    return depth == 18 ? List.of(2, 2, 2, 2) : List.of(3, 4, 6, 3);
  }

  /** The dimension d of the encoder output f(x): 512 for ResNet-18 and 2048 for ResNet-50 at width 64. */
  public int featureDim() {
    return width * (1 << (stages().size() - 1)) * expansion();
  }
}
