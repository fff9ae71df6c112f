package io.robustcl.stages;

import io.robustcl.ml.attack.Norm;
import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Stage type {@code evaluate}: white-box accuracy (%) of a classifier on the test split: metric
 * {@code clean}, and for each attack of {@code attacks} and each threat of {@code threats} (RoCL
 * table 1: l_inf 8/255 and 16/255, l_2 0.25 and 0.5, l_1 7.84 and 12) the robust accuracy, named
 * as the threat for {@code pgd} ({@code linf:8/255}) and {@code <attack>/<threat>} otherwise
 * ({@code autoattack/linf:8/255}); an ensemble adds {@code <attack>/<threat>/<component>}, the
 * robust accuracy after each of its attacks. Attacks and inference modes are pluggable
 * ({@link EvaluationAttacks}, {@link InferenceModes}). The test set is processed in chunks of
 * {@code batch_size} whose per-sample flags are kept in the work directory, so a killed
 * evaluation resumes where it stopped. Besides the metrics it writes {@code checks.json} (the
 * sanity checks) and {@code outcomes.json}, which test images the clean and each white-box accuracy
 * got right ({@link io.robustcl.report.ImageOutcomes}), so that tables compare two models scored on
 * the same images as a paired sample.
 */
public final class EvaluateStage implements Stage {

  static final List<String> TABLE1_THREATS =
      List.of("linf:8/255", "linf:16/255", "l2:0.25", "l2:0.5", "l1:7.84", "l1:12");

  @Override
  public String doc() {
    return "white-box clean and robust accuracy (%): PGD, APGD, AutoAttack (standard, rand) at l_inf, l_2, l_1 threats";
  }

  @Override
  public List<ParamSpec> params() {
    List<ParamSpec> specs = new ArrayList<>();
    specs.add(ParamSpec.list("threats", ParamType.STRING_LIST, TABLE1_THREATS,
        "threat models as <norm>:<eps>, norm linf, l2 or l1"));
    specs.add(ParamSpec.list("attacks", ParamType.STRING_LIST, List.of("pgd"),
        "attacks run at every threat: " + EvaluationAttacks.names()));
    specs.add(ParamSpec.string("inference", "standard", "how the network classifies: "
        + String.join(", ", InferenceModes.all().keySet())).oneOf(InferenceModes.all().keySet().toArray(String[]::new)));
    specs.addAll(EvaluationBudget.specs());
    specs.addAll(NoiseParams.specs("uniform", "inference smoothed"));
    specs.add(ParamSpec.integer("draws", 1, "inference smoothed: m, noise draws per prediction and per attack"
        + " gradient (RUSH: 1 for I_F, 64 for I_F+)").atLeast(1));
    specs.add(ParamSpec.integer("smoothing_draws", 10, "transformation-smoothed: n, augmentations averaged per"
        + " prediction (RoCL eq. 8)").atLeast(1));
    specs.add(ParamSpec.string("smoothing_augment", "simclr", "transformation-smoothed: the augmentation T drawn"
        + " (simclr: METHODS.md's T)").oneOf("simclr", "simclr-blur", "crop-flip", "flip"));
    specs.add(ParamSpec.list("draws_curve", ParamType.INT_LIST, List.of(), "RoCL Fig. 3(d): accuracies of the"
        + " transformation-smoothed classifier at these n on the clean and 'adversarial' sets (metrics curve.<set>.<n>,"
        + " file draws.csv); [] for none").atLeast(1));
    specs.add(ParamSpec.integer("limit", 0, "evaluate only the first N test images (0 = all)").atLeast(0));
    specs.add(ParamSpec.integer("batch_size", 256, "images per chunk: attacked at once, saved for resumption").atLeast(1));
    specs.add(ParamSpec.integer("seed", 0, "seed of random starts"));
    specs.add(ParamSpec.bool("checks", true, "run the sanity checks (metrics check/*, checks.json)"));
    return specs;
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(
        InputPort.one("model", "classifier (a network with head l)", ArtifactKinds.MODEL, ArtifactKinds.CLASSIFIER),
        InputPort.one("data", "dataset whose test split is used", ArtifactKinds.DATASET),
        InputPort.many("adversarial", "black-box adversarial test sets (attack stages): metric bb.<stage> is the"
            + " accuracy of the classifier, in its inference mode, on each", ArtifactKinds.ADVERSARIAL_SET).optional());
  }

  /**
   * 3: attacks per threat (APGD, AutoAttack), chunked resumable state, per-chunk random streams; inference
   * transformation-smoothed, black-box sets and the draws curve (new params and an optional input: old keys
   * do not change meaning).
   */
  @Override
  public int version() {
    return 3;
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.METRICS;
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    if (params.getString("inference").equals("smoothed") && params.getString("noise").equals("none")) {
      problems.add("param 'noise': inference smoothed adds Q to the input; use uniform (RUSH) or gaussian");
    }
    List<String> seen = new ArrayList<>();
    List<AttackSpec> threats = new ArrayList<>();
    for (String threat : params.getStringList("threats")) {
      try {
        threats.add(AttackSpec.parse(threat));
      } catch (IllegalArgumentException e) {
        problems.add("param 'threats': " + e.getMessage());
      }
      if (seen.contains(threat)) {
        problems.add("param 'threats': '" + threat + "' appears twice");
      }
      seen.add(threat);
    }
    if (!params.getLongList("draws_curve").isEmpty()
        && !params.getString("inference").equals(InferenceModes.TRANSFORMATION_SMOOTHED)) {
      problems.add("param 'draws_curve': the curve is of the transformation-smoothed classifier; set inference: "
          + InferenceModes.TRANSFORMATION_SMOOTHED);
    }
    Map<String, EvaluationAttack> known = EvaluationAttacks.all();
    List<String> attacks = params.getStringList("attacks");
    for (int i = 0; i < attacks.size(); i++) {
      String name = attacks.get(i);
      EvaluationAttack attack = known.get(name);
      if (attack == null) {
        problems.add("param 'attacks': unknown attack '" + name + "'; known: " + EvaluationAttacks.names());
        continue;
      }
      if (attacks.subList(0, i).contains(name)) {
        problems.add("param 'attacks': '" + name + "' appears twice");
      }
      for (AttackSpec threat : threats) {
        if (!attack.norms().contains(norm(threat))) {
          problems.add("param 'attacks': " + name + " is not defined for " + threat.norm() + " (threat '"
              + threat.text() + "'); use it with " + attack.norms().toString().toLowerCase(Locale.ROOT) + " threats");
        }
      }
    }
    return problems;
  }

  static Norm norm(AttackSpec threat) {
    return Norm.valueOf(threat.norm().toUpperCase(Locale.ROOT));
  }

  /** The metric of an attack at a threat: the threat alone for pgd (the tables' names), else attack/threat. */
  static String metricName(String attack, String threat) {
    return attack.equals("pgd") ? threat : attack + "/" + threat;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new EvaluateRun(ctx).run();
  }
}
