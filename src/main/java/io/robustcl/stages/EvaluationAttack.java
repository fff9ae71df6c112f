package io.robustcl.stages;

import io.robustcl.ml.attack.AttackEnsemble;
import io.robustcl.ml.attack.Norm;
import java.util.Set;

/**
 * One entry of the {@code evaluate} stage's {@code attacks} param: builds, for a threat (norm and
 * radius), the attack or ensemble whose robust accuracy becomes a metric. Registered in
 * {@link EvaluationAttacks}.
 */
interface EvaluationAttack {

  /** One line for {@code pipeline stages}. */
  String doc();

  /** The norms this attack is defined for. */
  Set<Norm> norms();

  AttackEnsemble build(EvaluationBudget budget, Norm norm, double eps, int classes);
}
