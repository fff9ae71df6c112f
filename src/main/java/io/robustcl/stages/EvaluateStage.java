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
 * Stage type {@code evaluate}: white-box accuracy (%) of a classifier on the test split: metric
 * {@code clean}, and for each entry of {@code attacks} (RoCL table 1: l_inf 8/255 and 16/255,
 * l_2 0.25 and 0.5, l_1 7.84 and 12) the robust accuracy under PGD, named as the entry.
 */
public final class EvaluateStage implements Stage {

  static final List<String> TABLE1_ATTACKS =
      List.of("linf:8/255", "linf:16/255", "l2:0.25", "l2:0.5", "l1:7.84", "l1:12");

  @Override
  public String doc() {
    return "white-box clean and robust accuracy (%) under PGD l_inf, l_2 and l_1 attacks";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.list("attacks", ParamType.STRING_LIST, TABLE1_ATTACKS,
            "attacks as <norm>:<eps>; each gives a metric of that name"),
        ParamSpec.integer("steps", 20, "PGD iterations (RoCL: 20)").atLeast(0),
        ParamSpec.floating("step_fraction", 0.1, "step size as a fraction of eps (RoCL evaluation: 0.1)").atLeast(0),
        ParamSpec.floating("l1_sparsity", 0.05, "l_1 PGD: fraction q of coordinates updated per step").atLeast(0).atMost(1),
        ParamSpec.bool("random_start", true, "start uniformly inside the ball"),
        ParamSpec.integer("limit", 0, "evaluate only the first N test images (0 = all)").atLeast(0),
        ParamSpec.integer("batch_size", 256, "images per batch").atLeast(1),
        ParamSpec.integer("seed", 0, "seed of random starts"));
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(
        InputPort.one("model", "classifier (a network with head l)", ArtifactKinds.MODEL, ArtifactKinds.CLASSIFIER),
        InputPort.one("data", "dataset whose test split is used", ArtifactKinds.DATASET));
  }

  /** 2: random starts draw from the stage's own generator. */
  @Override
  public int version() {
    return 2;
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.METRICS;
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (String attack : params.getStringList("attacks")) {
      try {
        AttackSpec.parse(attack);
      } catch (IllegalArgumentException e) {
        problems.add("param 'attacks': " + e.getMessage());
      }
      if (attack.equals("clean") || seen.contains(attack)) {
        problems.add("param 'attacks': '" + attack + "' appears twice or clashes with the metric 'clean'");
      }
      seen.add(attack);
    }
    return problems;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new EvaluateRun(ctx).run();
  }
}
