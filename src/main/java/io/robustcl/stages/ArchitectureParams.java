package io.robustcl.stages;

import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import java.util.List;

/**
 * The network params of a training stage: ResNet encoder f and projector g.
 *
 * @param depth 18 or 50 (CIFAR-stem ResNet)
 * @param width channels of the first stage (64 is the standard network)
 * @param blocks blocks per stage; empty for the standard layout of {@code depth}
 * @param projector output sizes of g's linear layers, e.g. [2048, 128]
 * @param dualBn separate batch norms for adversarial inputs (ASCL table 8)
 */
record ArchitectureParams(int depth, int width, List<Integer> blocks, List<Integer> projector, boolean dualBn) {

  static List<ParamSpec> specs() {
    return List.of(
        ParamSpec.integer("depth", 18, "ResNet depth of the encoder f: 18 or 50"),
        ParamSpec.integer("width", 64, "channels of the first ResNet stage (64 = standard; smaller for CPU)")
            .atLeast(1).atMost(4096),
        ParamSpec.list("blocks", ParamType.INT_LIST, List.of(),
            "blocks per ResNet stage, e.g. [1,1]; [] = the standard layout of depth").atLeast(1),
        ParamSpec.list("projector", ParamType.INT_LIST, List.of(2048L, 128L),
            "output sizes of the projector g's linear layers (ReLU between)").atLeast(1),
        ParamSpec.bool("dual_bn", false, "separate batch norm for adversarial inputs (ASCL table 8)"));
  }

  static ArchitectureParams from(Params params) {
    return new ArchitectureParams(
        params.getInt("depth"),
        params.getInt("width"),
        params.getLongList("blocks").stream().map(Math::toIntExact).toList(),
        params.getLongList("projector").stream().map(Math::toIntExact).toList(),
        params.getBool("dual_bn"));
  }

  static List<String> validate(Params params) {
    long depth = params.getLong("depth");
    if (depth != 18 && depth != 50) {
      return List.of("param 'depth': " + depth + " is not a supported ResNet depth; use 18 or 50");
    }
    if (params.getLongList("blocks").size() > 4) {
      return List.of("param 'blocks': a ResNet has at most 4 stages, got " + params.getLongList("blocks"));
    }
    return List.of();
  }
}
