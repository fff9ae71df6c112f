package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
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

  static final List<String> METHODS =
      List.of("ce", "at", "trades", "alp", "ss-ood", "msd", "simclr", "scl", "rocl", "upat", "ascl", "acl", "rush");
  /** Methods whose artifact carries a trained head l. */
  static final List<String> SUPERVISED = List.of("ce", "at", "trades", "alp", "ss-ood", "msd", "ascl");
  /** Methods that see one (supervised) augmentation of the batch rather than two contrastive views. */
  static final List<String> SUPERVISED_ONLY = List.of("ce", "at", "trades", "alp", "ss-ood", "msd");
  /** The spellings of {@code attack_target} and {@code attacked_view}. */
  static final String[] VIEWS = {"x", "t", "t'"};

  @Override
  public String doc() {
    return "pre-trains f (+ g or l) with " + String.join(", ", METHODS);
  }

  @Override
  public List<ParamSpec> params() {
    List<ParamSpec> specs = new ArrayList<>();
    specs.add(ParamSpec.string("method", null, String.join(", ", METHODS)).oneOf(METHODS.toArray(String[]::new)));
    specs.add(ParamSpec.string("augment", "simclr", "training augmentation: simclr (T of METHODS.md), simclr-blur (T plus SimCLR's Gaussian blur: UPAT), crop-flip (zero-pad 4, random crop, flip: Madry/TRADES),"
        + " flip (horizontal, p 0.5) or none").oneOf("simclr", "simclr-blur", "crop-flip", "flip", "none"));
    specs.addAll(ArchitectureParams.specs());
    specs.addAll(OptimizerParams.specs(100, 256, "sgd", 0.1, 5e-4, "cosine", List.of()));
    specs.addAll(AttackParams.specs(8 / 255.0, 2 / 255.0, 10));
    specs.add(ParamSpec.floating("tau", 0.5, "NT-Xent / SupCon temperature").atLeast(1e-6));
    specs.add(ParamSpec.floating("lambda", 256.0,
        "rocl: weight 1/lambda of NT-Xent(t(x)_adv, t'(x)) (RoCL code); upat: weight of the t'(x) term").atLeast(0));
    specs.add(ParamSpec.floating("beta", 6.0,
        "trades: weight of the KL term (6); alp: logit-pairing weight; ss-ood: rotation-loss weight (0.5)").atLeast(0));
    specs.add(ParamSpec.string("attack_loss", "contrastive",
        "rocl, upat: loss of the instance-wise attack (RoCL table 7, UPAT table 5); rocl's regulariser follows it"
        + " as in RoCL's public code").oneOf("contrastive", "mse", "cosine", "l1"));
    specs.add(ParamSpec.string("attacked_view", "t", "rocl, upat: the image the instance-wise attack perturbs (UPAT"
        + " table 4): x, t (t(x)) or t' (t'(x))").oneOf(VIEWS));
    specs.add(ParamSpec.string("attack_target", "t'", "rocl, upat: the image whose embedding the attacked one is"
        + " pushed from (RoCL table 5): x, t or t'").oneOf(VIEWS));
    specs.add(ParamSpec.list("msd_eps", ParamType.FLOAT_LIST, List.of(0.03, 0.5, 12.0),
        "msd: radii of the l_inf, l_2 and l_1 balls (Maini et al. 2020, CIFAR-10)").atLeast(0));
    specs.add(ParamSpec.list("msd_step", ParamType.FLOAT_LIST, List.of(0.003, 0.02, 1.0),
        "msd: step sizes of the l_inf, l_2 and l_1 steps").atLeast(0));
    specs.add(ParamSpec.floating("lambda1", 0.5, "ascl: weight of the label-free contrastive term").atLeast(0));
    specs.add(ParamSpec.floating("lambda2", 0.2, "ascl: weight of L_ASCL (eq. 9)").atLeast(0));
    specs.add(ParamSpec.string("attack_generation", "ensemble",
        "ascl (table 6): ensemble (each term its own attack), label-based (PGD on CE only) or label-free (contrastive only)")
        .oneOf("ensemble", "label-based", "label-free"));
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
   * on x; method acl; training time metrics; rocl's regulariser pairs the adversarial view with the
   * attack target and follows the attack loss type (RoCL's public code); upat attacks t'(x) by default
   * (its eq. 5); methods alp, ss-ood, msd.
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
    if (!SUPERVISED_ONLY.contains(method) && !params.getString("augment").startsWith("simclr")) {
      problems.add("param 'augment': method " + method + " contrasts two augmented views; set augment: simclr");
    }
    if (params.getString("attack_target").equals(params.getString("attacked_view"))) {
      problems.add("param 'attack_target': equals attacked_view (" + params.getString("attacked_view")
          + "); the attack pushes one image away from another, e.g. attacked_view: t, attack_target: t'");
    }
    if (method.equals("ss-ood") && !params.getLongList("projector").equals(List.of(4L))) {
      problems.add("param 'projector': ss-ood's rotation head is a one-layer projector f -> 4; set projector: [4]");
    }
    if (method.equals("msd") && (params.getDoubleList("msd_eps").size() != 3 || params.getDoubleList("msd_step").size() != 3)) {
      problems.add("param 'msd_eps'/'msd_step': give three values each, for l_inf, l_2 and l_1");
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
