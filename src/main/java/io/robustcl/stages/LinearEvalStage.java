package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage types {@code linear-eval} (RoCL "LE") and {@code robust-linear-eval} (r-LE, RoCL eq. 7):
 * the {@code model} input's encoder f is frozen and a new linear head l is trained on the
 * train split, on clean images or on PGD l_inf class-adversarial ones. Produces a classifier.
 */
public final class LinearEvalStage implements Stage {

  private final boolean robust;

  private LinearEvalStage(boolean robust) {
    this.robust = robust;
  }

  /** The {@code linear-eval} stage type. */
  public static LinearEvalStage clean() {
    return new LinearEvalStage(false);
  }

  /** The {@code robust-linear-eval} stage type. */
  public static LinearEvalStage robust() {
    return new LinearEvalStage(true);
  }

  boolean isRobust() {
    return robust;
  }

  @Override
  public String doc() {
    return robust
        ? "r-LE: frozen encoder, linear head trained on PGD l_inf adversarial examples"
        : "LE: frozen encoder, linear head trained on clean examples";
  }

  @Override
  public List<ParamSpec> params() {
    List<ParamSpec> specs = new ArrayList<>();
    specs.addAll(OptimizerParams.specs(150, 1024, "sgd", 0.1, 5e-4, "multistep", List.of(0.2, 1 / 3.0, 2 / 3.0)));
    if (robust) {
      specs.addAll(AttackParams.specs(8 / 255.0, 2 / 255.0, 10));
      specs.add(ParamSpec.string("loss", "ce",
          "ce: CE on the PGD examples (RoCL r-LE); trades: TRADES, x_adv on the KL term (ASCL's adversarial fine-tuning)")
          .oneOf("ce", "trades"));
      specs.add(ParamSpec.floating("beta", 6.0, "loss trades: weight of the KL term").atLeast(0));
    }
    specs.addAll(HeadTrainingSpecs.augmentAndSeed());
    specs.addAll(PretrainedEncoder.specs());
    specs.add(ParamSpec.bool("adapt_bn", false,
        "let the frozen encoder's batch-norm statistics adapt to the training images (RUSH); RoCL: false"));
    specs.add(ParamSpec.bool("bn_bias", false, "also train the encoder's batch-norm biases (RUSH's fine-tuning)"));
    specs.addAll(NoiseParams.specs("none", "train the head on Q(x)"));
    return specs;
  }

  @Override
  public List<InputPort> inputs() {
    return HeadTrainingSpecs.ports("pre-trained network whose encoder is frozen");
  }

  /**
   * 2: {@code curve.csv} no longer carries throughput (a machine figure, now a metric). 3: attack
   * starts and noise draw from the stage's own generator. 4: bn, head_init, noise, bn_bias (and
   * r-LE's loss) params.
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
    if (robust) {
      problems.addAll(AttackParams.validate(params));
    }
    return problems;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new HeadTrainingRun(ctx, robust).run();
  }
}
