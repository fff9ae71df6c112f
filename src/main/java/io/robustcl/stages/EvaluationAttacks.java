package io.robustcl.stages;

import io.robustcl.ml.attack.ApgdAttack;
import ai.djl.ndarray.NDArray;
import io.robustcl.ml.attack.AttackEnsemble;
import io.robustcl.ml.attack.AttackObjective;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.Norm;
import io.robustcl.ml.attack.PgdAttack;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The attacks the {@code evaluate} stage knows, by the name its {@code attacks} param uses. */
final class EvaluationAttacks {

  private static final Set<Norm> ALL = EnumSet.allOf(Norm.class);
  private static final Set<Norm> LINF_L2 = EnumSet.of(Norm.LINF, Norm.L2);

  private EvaluationAttacks() {}

  /** Every attack, in the order {@code pipeline stages} lists them. */
  static Map<String, EvaluationAttack> all() {
    Map<String, EvaluationAttack> out = new LinkedHashMap<>();
    out.put("pgd", attack("PGD on the cross-entropy (steps, step_fraction, random_start; l_1: l1_sparsity)", ALL,
        (b, norm, eps, classes) -> {
          double step = Math.max(eps * b.stepFraction(), Double.MIN_NORMAL);
          PgdAttack pgd = new PgdAttack(norm, eps, step, b.pgdSteps(), b.randomStart(), 1, b.l1Sparsity());
          return AttackEnsemble.of("pgd", (model, x, labels, random) -> pgd.perturb(x,
              new ClassificationObjective(model.logits(), labels, model.classes()), model.parameters(), random));
        }));
    out.put("eot-pgd", attack("PGD whose gradient is the mean over eot_draws calls of a randomised classifier"
        + " (expectation over transformation, Athalye et al. 2018; RoCL table 3's EoT column with inference"
        + " transformation-smoothed)", ALL, (b, norm, eps, classes) -> {
          double step = Math.max(eps * b.stepFraction(), Double.MIN_NORMAL);
          PgdAttack pgd = new PgdAttack(norm, eps, step, b.pgdSteps(), b.randomStart(), 1, b.l1Sparsity());
          int draws = b.autoAttack().eotDraws();
          return AttackEnsemble.of("eot-pgd", (model, x, labels, random) -> {
            ClassificationObjective ce = new ClassificationObjective(model.logits(), labels, model.classes());
            // each call of the logits draws fresh transformations: the mean is the EoT objective
            AttackObjective eot = in -> {
              NDArray sum = ce.losses(in);
              for (int j = 1; j < draws; j++) {
                sum = sum.add(ce.losses(in));
              }
              return sum.div((float) draws);
            };
            return pgd.perturb(x, eot, model.parameters(), random);
          });
        }));
    out.put("apgd-ce", attack("APGD on the cross-entropy, 1 run", ALL, (b, norm, eps, classes) ->
        AttackEnsemble.of("apgd-ce", ApgdAttack.ce(norm, eps).withIterations(b.autoAttack().apgdIterations()))));
    out.put("apgd-dlr", attack("APGD on the DLR loss, 1 run", ALL, (b, norm, eps, classes) ->
        AttackEnsemble.of("apgd-dlr", ApgdAttack.dlr(norm, eps).withIterations(b.autoAttack().apgdIterations()))));
    out.put("apgd-t", attack("APGD on the targeted DLR loss, one run per target", ALL, (b, norm, eps, classes) ->
        AttackEnsemble.of("apgd-t", ApgdAttack.targeted(norm, eps).withIterations(b.autoAttack().apgdIterations())
            .withTargets(b.autoAttack().targets()))));
    out.put("apgd-l1", attack("l_1-APGD-CE of \"Mind the box\": 3/2/1 eps schedule, 5 restarts", EnumSet.of(Norm.L1),
        (b, norm, eps, classes) ->
            AttackEnsemble.of("apgd-l1", ApgdAttack.l1(eps).withIterations(b.autoAttack().apgdIterations()))));
    out.put("autoattack-rand", attack("AutoAttack's rand version: APGD-CE and APGD-DLR with EoT", ALL,
        (b, norm, eps, classes) -> AttackEnsemble.rand(norm, eps, b.autoAttack())));
    return out;
  }

  /** The names, for error messages and docs. */
  static String names() {
    return String.join(", ", all().keySet());
  }

  @FunctionalInterface
  private interface Builder {
    AttackEnsemble build(EvaluationBudget budget, Norm norm, double eps, int classes);
  }

  private static EvaluationAttack attack(String doc, Set<Norm> norms, Builder builder) {
    return new EvaluationAttack() {
      @Override
      public String doc() {
        return doc;
      }

      @Override
      public Set<Norm> norms() {
        return norms;
      }

      @Override
      public AttackEnsemble build(EvaluationBudget budget, Norm norm, double eps, int classes) {
        return builder.build(budget, norm, eps, classes);
      }
    };
  }
}
