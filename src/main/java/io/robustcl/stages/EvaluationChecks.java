package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.attack.AttackEnsemble;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.attack.ClassifierAttack;
import io.robustcl.ml.attack.RobustAccuracy;
import io.robustcl.ml.attack.RobustnessEvaluation;
import io.robustcl.ml.attack.SanityCheck;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The {@code evaluate} stage's sanity checks ({@link SanityCheck}): those on the model, run on the
 * first chunk, and those on the results (monotonicity in eps, Square against the white-box
 * attacks, doubling PGD's iterations).
 */
final class EvaluationChecks {

  /** A run's attack name and threat, as the stage built it. */
  record Planned(String attack, AttackSpec threat, RobustnessEvaluation.Run run) {}

  private EvaluationChecks() {}

  /**
   * PGD at the first threat with its iterations and twice as many, on the first chunk; {@code
   * starting} hears each of the two attacks before it runs.
   */
  static SanityCheck doubledIterations(AttackedClassifier model, NDArray x, NDArray labels, EvaluationBudget budget,
      AttackSpec threat, RandomGenerator random, Consumer<String> starting) {
    EvaluationAttack pgd = EvaluationAttacks.all().get("pgd");
    EvaluationBudget doubled = new EvaluationBudget(2 * budget.pgdSteps(), budget.stepFraction(),
        budget.l1Sparsity(), budget.randomStart(), budget.autoAttack(), budget.squareInitialFraction());
    starting.accept("doubled-iterations (PGD, " + budget.pgdSteps() + " steps at " + threat.text() + ")");
    double once = accuracy(model, x, labels, pgd.build(budget, EvaluateStage.norm(threat), threat.eps(),
        model.classes()), random);
    starting.accept("doubled-iterations (PGD, " + doubled.pgdSteps() + " steps at " + threat.text() + ")");
    double twice = accuracy(model, x, labels, pgd.build(doubled, EvaluateStage.norm(threat), threat.eps(),
        model.classes()), random);
    return SanityCheck.doubledIterations(once, twice);
  }

  private static double accuracy(AttackedClassifier model, NDArray x, NDArray labels, AttackEnsemble ensemble,
      RandomGenerator random) {
    ClassifierAttack attack = ensemble.components().get(0).attack();
    NDArray adversarial = attack.perturb(model, x, labels, random);
    return 100 * RobustAccuracy.of(model.logitsOf(adversarial), labels).accuracy();
  }

  /** Checks on the results: monotone in eps per attack and norm; Square against the white-box attacks. */
  static List<SanityCheck> onResults(List<Planned> planned, RobustnessEvaluation.Result result, int samples) {
    List<SanityCheck> checks = new ArrayList<>();
    Map<String, List<double[]>> byAttack = new LinkedHashMap<>();
    Map<String, Map<String, List<Planned>>> grouped = new LinkedHashMap<>();
    for (Planned p : planned) {
      grouped.computeIfAbsent(p.attack(), k -> new LinkedHashMap<>())
          .computeIfAbsent(p.threat().norm(), k -> new ArrayList<>()).add(p);
    }
    grouped.forEach((attack, norms) -> {
      List<double[]> series = new ArrayList<>();
      norms.values().forEach(list -> series.add(list.stream()
          .sorted(Comparator.comparingDouble(p -> p.threat().eps()))
          .mapToDouble(p -> 100 * result.robust().get(p.run().name())).toArray()));
      byAttack.put(attack, series);
    });
    if (byAttack.values().stream().anyMatch(series -> series.stream().anyMatch(s -> s.length > 1))) {
      checks.add(SanityCheck.monotoneInEps(byAttack, samples));
    }
    for (Planned p : planned) {
      List<AttackEnsemble.Component> parts = p.run().ensemble().components();
      int square = indexOf(parts, "square");
      if (square > 0) {
        List<Double> after = result.afterEach().get(p.run().name());
        checks.add(SanityCheck.squareVersusWhiteBox(p.threat().text(), 100 * after.get(square - 1),
            100 * after.get(square)));
      }
    }
    for (Planned p : planned) {
      if (!p.attack().equals("square")) {
        continue;
      }
      double whiteBox = planned.stream()
          .filter(o -> o.threat().text().equals(p.threat().text()) && !o.attack().equals("square"))
          .mapToDouble(o -> 100 * result.robust().get(o.run().name())).min().orElse(Double.NaN);
      if (!Double.isNaN(whiteBox)) {
        checks.add(SanityCheck.squareVersusWhiteBox(p.threat().text(), whiteBox,
            100 * result.robust().get(p.run().name())));
      }
    }
    return checks;
  }

  /**
   * Carlini et al.'s "transfer attacks should not beat white-box attacks": for each black-box set
   * (input {@code adversarial}, metric {@code bb.<stage>}) made at a norm and eps that this stage
   * also attacks, its accuracy minus the lowest white-box robust accuracy there; negative beyond
   * one sample warns.
   */
  static List<SanityCheck> blackBoxVersusWhiteBox(List<Planned> planned, RobustnessEvaluation.Result result,
      List<io.robustcl.pipeline.Artifact> sets, Map<String, Double> metrics, int samples) {
    List<SanityCheck> checks = new ArrayList<>();
    for (io.robustcl.pipeline.Artifact set : sets) {
      Double transfer = metrics.get(EvaluateRun.BLACK_BOX + set.stageName());
      if (transfer == null || !set.params().asMap().containsKey("norm") || !set.params().asMap().containsKey("eps")) {
        continue;
      }
      String norm = set.params().getString("norm");
      double eps = set.params().getDouble("eps");
      double whiteBox = planned.stream()
          .filter(p -> p.threat().norm().equals(norm) && Math.abs(p.threat().eps() - eps) <= 1e-9 * Math.max(1, eps))
          .mapToDouble(p -> 100 * result.robust().get(p.run().name())).min().orElse(Double.NaN);
      if (Double.isNaN(whiteBox)) {
        continue;
      }
      double gap = transfer - whiteBox;
      checks.add(new SanityCheck("black-box-vs-white-box/" + set.stageName(), gap, gap >= -100.0 / Math.max(samples, 1),
          "transfer accuracy (%) on the black-box set minus the white-box robust accuracy at its norm and eps;"
              + " a transfer attack doing better than the white-box attacks means they are fooled"));
    }
    return checks;
  }

  private static int indexOf(List<AttackEnsemble.Component> parts, String name) {
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
