package io.robustcl.stages;

import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * PGD settings used while training (AT, TRADES, RoCL's instance-wise attack, r-LE) or by
 * the {@code attack} stage: l_inf unless a stage adds a norm.
 *
 * @param eps radius of the ball
 * @param step step size alpha
 * @param steps iterations
 * @param randomStart start uniformly inside the ball
 */
record AttackParams(double eps, double step, int steps, boolean randomStart) {

  static List<ParamSpec> specs(double eps, double step, long steps) {
    return List.of(
        ParamSpec.floating("eps", eps, "attack radius, e.g. 8/255").atLeast(0),
        ParamSpec.floating("step", step, "attack step size alpha, e.g. 2/255").atLeast(0),
        ParamSpec.integer("steps", steps, "attack iterations").atLeast(0),
        ParamSpec.bool("random_start", true, "start uniformly inside the ball"));
  }

  static AttackParams from(Params params) {
    return new AttackParams(
        params.getDouble("eps"), params.getDouble("step"), params.getInt("steps"), params.getBool("random_start"));
  }

  static List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    if (params.getDouble("eps") < 0) {
      problems.add("param 'eps': " + params.getDouble("eps") + " is negative; an attack radius is >= 0");
    }
    if (params.getDouble("step") < 0) {
      problems.add("param 'step': " + params.getDouble("step") + " is negative");
    }
    if (params.getDouble("eps") > 0 && params.getLong("steps") > 0 && params.getDouble("step") == 0) {
      problems.add("param 'step': 0 with eps > 0 and steps > 0 would not move; give a step size, e.g. eps/4");
    }
    return problems;
  }
}
