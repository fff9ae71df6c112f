package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage type {@code fine-tune}: trains the {@code model} input's encoder f together with a new
 * head l by {@code at} (Madry), {@code trades} or {@code at+ss} (AT plus the self-supervised
 * contrastive loss through the pre-trained projector; RoCL table 1's fine-tune rows).
 */
public final class FineTuneStage implements Stage {

  @Override
  public String doc() {
    return "full fine-tuning of a pre-trained encoder with a new head: ce, at, trades or at+ss";
  }

  @Override
  public List<ParamSpec> params() {
    List<ParamSpec> specs = new ArrayList<>();
    specs.add(ParamSpec.string("method", "at",
        "ce (full standard fine-tuning, ASCL's FSF), at, trades (ACL's and ASCL's AFF/FAF) or at+ss")
        .oneOf("ce", "at", "trades", "at+ss"));
    specs.addAll(OptimizerParams.specs(100, 128, "sgd", 0.1, 5e-4, "multistep", List.of(0.5, 0.75)));
    specs.addAll(AttackParams.specs(8 / 255.0, 2 / 255.0, 10));
    specs.add(ParamSpec.floating("beta", 6.0, "trades: weight of the KL term").atLeast(0));
    specs.add(ParamSpec.floating("ss_weight", 1.0, "at+ss: weight of the self-supervised loss").atLeast(0));
    specs.add(ParamSpec.floating("tau", 0.5, "at+ss: NT-Xent temperature").atLeast(1e-6));
    specs.addAll(HeadTrainingSpecs.augmentAndSeed());
    specs.addAll(PretrainedEncoder.specs());
    return specs;
  }

  @Override
  public List<InputPort> inputs() {
    return HeadTrainingSpecs.ports("pre-trained network to fine-tune");
  }

  /**
   * 2: {@code curve.csv} no longer carries throughput (a machine figure, now a metric). 3: attack
   * starts and noise draw from the stage's own generator. 4: bn and head_init params, method ce.
   */
  @Override
  public int version() {
    return 4;
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.CLASSIFIER;
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>(OptimizerParams.validate(params));
    problems.addAll(AttackParams.validate(params));
    return problems;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new FineTuneRun(ctx).run();
  }
}
