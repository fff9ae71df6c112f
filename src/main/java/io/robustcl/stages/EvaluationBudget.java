package io.robustcl.stages;

import io.robustcl.ml.attack.AttackEnsemble;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import java.util.List;

/**
 * The budgets of the {@code evaluate} stage's attacks, with the published settings as defaults:
 * PGD as RoCL evaluates (20 steps of eps/10), AutoAttack's as its reference code runs them.
 * Profiles may shrink them; the stage records them with its params.
 */
record EvaluationBudget(int pgdSteps, double stepFraction, double l1Sparsity, boolean randomStart,
    AttackEnsemble.Budget autoAttack, double squareInitialFraction) {

  static List<ParamSpec> specs() {
    return List.of(
        ParamSpec.integer("steps", 20, "PGD iterations (RoCL: 20)").atLeast(0),
        ParamSpec.floating("step_fraction", 0.1, "PGD step size as a fraction of eps (RoCL evaluation: 0.1)").atLeast(0),
        ParamSpec.floating("l1_sparsity", 0.05, "l_1 PGD: fraction q of coordinates updated per step").atLeast(0).atMost(1),
        ParamSpec.bool("random_start", true, "PGD: start uniformly inside the ball"),
        ParamSpec.integer("apgd_iterations", 100, "iterations of each APGD run (AutoAttack: 100)").atLeast(1),
        ParamSpec.integer("targets", 9, "target classes of APGD-T and FAB-T (AutoAttack: 9)").atLeast(1),
        ParamSpec.integer("fab_iterations", 100, "FAB-T iterations (AutoAttack: 100)").atLeast(1),
        ParamSpec.integer("square_queries", 5000, "Square queries (AutoAttack: 5000)").atLeast(1),
        ParamSpec.floating("square_p_init", 0.8, "Square: initial fraction of pixels per square (AutoAttack: 0.8)")
            .atLeast(0).atMost(1),
        ParamSpec.integer("eot_draws", 20, "autoattack-rand: gradient draws per step (AutoAttack: 20)").atLeast(1));
  }

  static EvaluationBudget from(Params p) {
    return new EvaluationBudget(p.getInt("steps"), p.getDouble("step_fraction"), p.getDouble("l1_sparsity"),
        p.getBool("random_start"),
        new AttackEnsemble.Budget(p.getInt("apgd_iterations"), p.getInt("targets"), p.getInt("fab_iterations"),
            p.getInt("square_queries"), p.getInt("eot_draws")),
        p.getDouble("square_p_init"));
  }
}
