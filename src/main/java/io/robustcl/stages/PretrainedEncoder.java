package io.robustcl.stages;

import ai.djl.ndarray.NDManager;
import io.robustcl.ml.model.Network;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A pre-trained encoder made ready for a new head, as the head-training stages share it: the
 * {@code bn} param picks which batch norms of a dual-BN encoder the downstream model keeps, and
 * {@code head_init} how the new head starts.
 *
 * <p>Default {@code bn: adversarial}, ACL's public protocol: its robust fine-tuning and evaluation load
 * the adversarial ("pgd") BN ({@code --bnNameCnt 1}); ASCL trains its head l on adversarial-BN
 * features. {@code bn: clean} is ACL's choice for standard fine-tuning ({@code --bnNameCnt 0}). The
 * param is ignored, and changes nothing, for single-BN encoders.
 */
final class PretrainedEncoder {

  private PretrainedEncoder() {}

  static List<ParamSpec> specs() {
    return List.of(
        ParamSpec.string("bn", "adversarial",
            "dual-BN encoders: the batch norms the downstream model keeps, adversarial (ACL's robust protocol) or clean")
            .oneOf("adversarial", "clean"),
        ParamSpec.string("head_init", "default",
            "the new head l: default (PyTorch's Linear init) or zero (ASCL's transfer protocol, section 4.3.1)")
            .oneOf("default", "zero"));
  }

  /** The model's network, collapsed to the chosen BN branch, with a new head of {@code classes}. */
  static Network withNewHead(Params p, Artifact model, int classes, NDManager manager, RandomGenerator random)
      throws IOException {
    Network pretrained = StageFiles.network(model, manager)
        .withBatchNorm(Network.BatchNormBranch.valueOf(p.getString("bn").toUpperCase(Locale.ROOT)), manager);
    Network network = pretrained.withHead(classes, manager, random);
    if (p.getString("head_init").equals("zero")) {
      network.zeroHead();
    }
    return network;
  }
}
