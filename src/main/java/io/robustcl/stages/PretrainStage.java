package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage type {@code pretrain}: trains a network on the {@code data} input's train split with one
 * of the methods of METHODS.md. Supervised methods ({@code ce}, {@code at}, {@code trades},
 * {@code ascl}) produce f with the head l; contrastive ones f with the projector g. The
 * artifact holds {@code network.bin}, {@code curve.csv} (epoch, mean loss; throughput is a manifest metric) and final
 * metrics; epoch checkpoints in the work directory make a crashed run resume.
 */
public final class PretrainStage implements Stage {

  static final List<String> METHODS = List.of("ce", "at", "trades", "simclr", "scl", "rocl", "upat", "ascl", "acl", "rush");
  /** Methods whose artifact carries a trained head l. */
  static final List<String> SUPERVISED = List.of("ce", "at", "trades", "ascl");

  @Override
  public String doc() {
    return "pre-trains f (+ g or l) with ce, at, trades, simclr, scl, rocl, upat, ascl, acl or rush";
  }

  @Override
  public List<ParamSpec> params() {
    List<ParamSpec> specs = new ArrayList<>();
    specs.add(ParamSpec.string("method", null, String.join(", ", METHODS)).oneOf(METHODS.toArray(String[]::new)));
    specs.add(ParamSpec.string("augment", "simclr", "training augmentation: simclr (T of METHODS.md), flip (horizontal, p 0.5) or none")
        .oneOf("simclr", "flip", "none"));
    specs.addAll(ArchitectureParams.specs());
    specs.addAll(OptimizerParams.specs(100, 256, "sgd", 0.1, 5e-4, "cosine", List.of()));
    specs.addAll(AttackParams.specs(8 / 255.0, 2 / 255.0, 10));
    specs.add(ParamSpec.floating("tau", 0.5, "NT-Xent / SupCon temperature").atLeast(1e-6));
    specs.add(ParamSpec.floating("lambda", 256.0,
        "rocl: weight 1/lambda of NT-Xent(t(x)_adv, t'(x)) (RoCL code); upat: weight of the t'(x) term").atLeast(0));
    specs.add(ParamSpec.floating("beta", 6.0, "trades: weight of the KL term").atLeast(0));
    specs.add(ParamSpec.floating("lambda1", 0.5, "ascl: weight of the label-free contrastive term").atLeast(0));
    specs.add(ParamSpec.floating("lambda2", 0.2, "ascl: weight of L_ASCL (eq. 9)").atLeast(0));
    specs.add(ParamSpec.string("attack_generation", "ensemble",
        "ascl (table 6): ensemble (each term its own attack) or label-free (every attack contrastive, no labels)")
        .oneOf("ensemble", "label-free"));
    specs.addAll(NoiseParams.specs("uniform", "rush"));
    specs.add(ParamSpec.integer("seed", 0, "seed of initialisation, shuffling, augmentation and attacks"));
    return specs;
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(InputPort.one("data", "the dataset whose train split is used", ArtifactKinds.DATASET));
  }

  /**
   * 2: {@code curve.csv} no longer carries throughput (a machine figure, now a metric). 3: attack
   * starts and noise draw from the stage's own generator. 4: ASCL follows eqs. 5 and 9 and L_AT is
   * on x; method acl; training time metrics.
   */
  @Override
  public int version() {
    return 4;
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.MODEL;
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    problems.addAll(ArchitectureParams.validate(params));
    problems.addAll(OptimizerParams.validate(params));
    problems.addAll(AttackParams.validate(params));
    String method = params.getString("method");
    if (method.equals("rush") && params.getString("noise").equals("none")) {
      problems.add("param 'noise': method rush puts Q on the second view; use uniform (paper) or gaussian");
    }
    if (method.equals("rocl") && params.getDouble("lambda") == 0) {
      problems.add("param 'lambda': rocl weighs its regulariser by 1/lambda; lambda must be > 0 (paper: 256)");
    }
    if (!List.of("ce", "at", "trades").contains(method) && !params.getString("augment").equals("simclr")) {
      problems.add("param 'augment': method " + method + " contrasts two augmented views; set augment: simclr");
    }
    if (!SUPERVISED.contains(method) && params.getLongList("projector").isEmpty()) {
      problems.add("param 'projector': method " + method + " needs a projector g, e.g. [2048, 128]");
    }
    return problems;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new PretrainRun(ctx).run();
  }
}
