package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.AttackEnsemble;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.attack.EvaluationState;
import io.robustcl.ml.attack.RobustAccuracy;
import io.robustcl.ml.attack.RobustnessEvaluation;
import io.robustcl.ml.attack.SanityCheck;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.train.TransformationSmoothedClassifier;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.StageContext;
import io.robustcl.report.CheckMetrics;
import io.robustcl.report.ImageOutcomes;
import io.robustcl.report.SampleCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** The computation of an {@link EvaluateStage}: accuracies in percent. */
final class EvaluateRun {

  /** Subdirectory of the work directory with the per-chunk robust flags. */
  static final String STATE = "evaluation-state";
  /** The sanity checks of the artifact, with pass/warn. */
  static final String CHECKS = "checks.json";

  private final StageContext ctx;

  EvaluateRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() throws Exception {
    Params p = ctx.params();
    EvaluationBudget budget = EvaluationBudget.from(p);
    try (ComputeScope scope = ComputeScope.open(ctx.device(), p.getLong("seed"))) {
      NDManager manager = scope.manager();
      ImageSet loaded = StageFiles.imageSet(ctx.input("data"), StageFiles.TEST);
      ImageSet test = p.getInt("limit") > 0 ? loaded.head(p.getInt("limit")) : loaded;
      ModelInput input = ModelInput.classifier(ctx.input("model"), manager);
      int classes = test.classes().size();
      if (input.isScripted()) {
        input.requireClasses(classes, ctx.input("data").stageName());
      }
      ParameterStore store = new ParameterStore(manager, false);
      InferenceMode mode = InferenceModes.all().get(p.getString("inference"));
      AttackedClassifier model = mode.classifier(input, store, classes, scope.random("inference"), p);
      List<RobustnessEvaluation.Run> runs = new ArrayList<>();
      List<EvaluationChecks.Planned> planned = new ArrayList<>();
      for (String attack : p.getStringList("attacks")) {
        for (String text : p.getStringList("threats")) {
          AttackSpec threat = AttackSpec.parse(text);
          AttackEnsemble ensemble = EvaluationAttacks.all().get(attack)
              .build(budget, EvaluateStage.norm(threat), threat.eps(), classes);
          RobustnessEvaluation.Run run = new RobustnessEvaluation.Run(EvaluateStage.metricName(attack, text), ensemble);
          runs.add(run);
          planned.add(new EvaluationChecks.Planned(attack, threat, run));
        }
      }
      List<SanityCheck> checks = new ArrayList<>();
      if (p.getBool("checks") && test.size() > 0) {
        checks.addAll(modelChecks(model, test, mode, budget, scope));
      }
      RobustnessEvaluation evaluation = new RobustnessEvaluation(runs, p.getInt("batch_size"),
          new EvaluationState(ctx.workDir().resolve(STATE)), name -> scope.random("evaluate/" + name),
          ctx::checkCancelled);
      long started = System.nanoTime();
      int size = test.size();
      RobustnessEvaluation.Result result = evaluation.evaluate(model, images(test), manager,
          (run, r, chunk, chunks, robust) -> {
            double seconds = (System.nanoTime() - started) / 1e9;
            String phase = String.format(Locale.ROOT, "%s chunk %d/%d robust %.1f%%", run.name(), chunk + 1, chunks,
                100 * robust);
            ctx.progress(new Progress(phase, r + 1, runs.size(), chunk + 1, chunks, Double.NaN,
                Math.min(size, (chunk + 1L) * p.getInt("batch_size")) / Math.max(seconds, 1e-9)));
          });
      Map<String, Double> metrics = metrics(result, runs);
      outcomes(result, runs, size).write(ctx.outputDir());
      List<Artifact> adversarial = ctx.inputs("adversarial");
      boolean oneCount = true;
      for (Artifact set : adversarial) {
        ctx.checkCancelled();
        ImageSet images = StageFiles.imageSet(set, StageFiles.ADVERSARIAL_IMAGES);
        oneCount &= images.size() == size;
        metrics.put(BLACK_BOX + set.stageName(), 100 * accuracy(model, images, p.getInt("batch_size"), manager));
      }
      if (!p.getLongList("draws_curve").isEmpty()) {
        metrics.putAll(drawsCurve(input.network("param 'draws_curve'",
            "RoCL's accuracy over smoothing draws averages the encoder's features"), test, adversarial, scope));
      }
      if (p.getBool("checks")) {
        checks.addAll(EvaluationChecks.onResults(planned, result, size));
        checks.addAll(EvaluationChecks.blackBoxVersusWhiteBox(planned, result, adversarial, metrics, size));
      }
      metrics.putAll(checkMetrics(checks));
      // one count for every accuracy, or none: a table must not pair a black-box set's accuracy with the test set's n
      if (oneCount) {
        metrics.put(SampleCounts.EXAMPLES, (double) size);
      }
      writeChecks(checks);
      for (SanityCheck check : checks) {
        if (!check.pass()) {
          ctx.log("sanity check " + check.name() + " warns: " + check.value() + " (" + check.meaning() + ")");
        }
      }
      StageFiles.writeMetrics(ctx, metrics);
    }
  }

  /** The checks that need the model, on the first chunk of the test set. */
  private List<SanityCheck> modelChecks(AttackedClassifier model, ImageSet test, InferenceMode mode,
      EvaluationBudget budget, ComputeScope scope) {
    List<SanityCheck> checks = new ArrayList<>();
    // no totals: the checks differ in cost by orders of magnitude, so a fraction would give a false ETA
    Consumer<String> starting = name -> {
      ctx.checkCancelled();
      ctx.progress(new Progress("sanity check " + name, 0, 0, 0, 0, Double.NaN, Double.NaN));
    };
    int[] first = StageFiles.range(0, Math.min(test.size(), ctx.params().getInt("batch_size")));
    try (NDManager sub = scope.manager().newSubManager()) {
      NDArray x = test.images(sub, first);
      NDArray labels = test.labels(sub, first).toType(ai.djl.ndarray.types.DataType.INT64, false);
      checks.addAll(SanityCheck.onModel(model, x, labels, mode.randomised(), scope.random("checks/model"),
          starting));
      List<String> threats = ctx.params().getStringList("threats");
      if (budget.pgdSteps() > 0 && !threats.isEmpty()) {
        checks.add(EvaluationChecks.doubledIterations(model, x, labels, budget, AttackSpec.parse(threats.get(0)),
            scope.random("checks/doubled"), starting));
      }
    }
    return checks;
  }

  /** The checks' figures and pass flags, named as the report reads them ({@link CheckMetrics}). */
  private static Map<String, Double> checkMetrics(List<SanityCheck> checks) {
    Map<String, Double> out = new LinkedHashMap<>();
    int warned = 0;
    for (SanityCheck check : checks) {
      out.put(CheckMetrics.figure(check.name()), check.value());
      out.put(CheckMetrics.pass(check.name()), check.pass() ? 1.0 : 0.0);
      warned += check.pass() ? 0 : 1;
    }
    out.put(CheckMetrics.WARNED, (double) warned);
    return out;
  }

  /** {@code checks.json}: every check with its figure, pass/warn and meaning, for the report. */
  private void writeChecks(List<SanityCheck> checks) throws java.io.IOException {
    com.google.gson.JsonArray array = new com.google.gson.JsonArray();
    for (SanityCheck check : checks) {
      com.google.gson.JsonObject json = new com.google.gson.JsonObject();
      json.addProperty("name", check.name());
      json.addProperty("value", check.value());
      json.addProperty("status", check.pass() ? "pass" : "warn");
      json.addProperty("meaning", check.meaning());
      array.add(json);
    }
    java.nio.file.Files.writeString(ctx.outputDir().resolve(CHECKS),
        new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(array) + "\n",
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Prefix of the accuracy on a black-box adversarial set: {@code bb.<attack stage>}. */
  static final String BLACK_BOX = "bb.";

  /** Accuracy (fraction) of the classifier, as the inference mode predicts, on an image set. */
  private static double accuracy(AttackedClassifier model, ImageSet set, int batch, NDManager manager) {
    RobustAccuracy total = RobustAccuracy.empty();
    for (int from = 0; from < set.size(); from += batch) {
      int[] indices = StageFiles.range(from, Math.min(set.size(), from + batch));
      try (NDManager sub = manager.newSubManager()) {
        total = total.plus(RobustAccuracy.of(model.logitsOf(set.images(sub, indices)), set.labels(sub, indices)));
      }
    }
    return total.accuracy();
  }

  /**
   * RoCL Fig. 3(d) as data: the transformation-smoothed classifier's accuracy at each n of
   * {@code draws_curve} on the clean test set and on every black-box set; metrics
   * {@code curve.clean.<n>} and {@code curve.<stage>.<n>}, and {@code draws.csv} (draws, set, accuracy).
   */
  private Map<String, Double> drawsCurve(Network network, ImageSet test, List<Artifact> adversarial, ComputeScope scope)
      throws java.io.IOException {
    Params p = ctx.params();
    Map<String, ImageSet> sets = new LinkedHashMap<>();
    sets.put("clean", test);
    for (Artifact set : adversarial) {
      sets.put(set.stageName(), StageFiles.imageSet(set, StageFiles.ADVERSARIAL_IMAGES));
    }
    Map<String, Double> out = new LinkedHashMap<>();
    StringBuilder csv = new StringBuilder("draws,set,accuracy\n");
    for (long n : p.getLongList("draws_curve")) {
      TransformationSmoothedClassifier smoothed =
          InferenceModes.smoothed(network, p, Math.toIntExact(n), test.height());
      for (Map.Entry<String, ImageSet> set : sets.entrySet()) {
        ctx.checkCancelled();
        double accuracy = 100 * smoothed.accuracy(scope.manager(), set.getValue(),
            scope.random("curve/" + set.getKey() + "/" + n)).value();
        out.put("curve." + set.getKey() + "." + n, accuracy);
        csv.append(n).append(',').append(set.getKey()).append(',')
            .append(String.format(Locale.ROOT, "%.4f", accuracy)).append('\n');
      }
    }
    java.nio.file.Files.writeString(ctx.outputDir().resolve("draws.csv"), csv.toString());
    return out;
  }

  private static Map<String, Double> metrics(RobustnessEvaluation.Result result, List<RobustnessEvaluation.Run> runs) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("clean", 100 * result.clean());
    for (RobustnessEvaluation.Run run : runs) {
      metrics.put(run.name(), 100 * result.robust().get(run.name()));
      List<AttackEnsemble.Component> components = run.ensemble().components();
      if (components.size() > 1) {
        List<Double> after = result.afterEach().get(run.name());
        for (int k = 0; k < components.size(); k++) {
          metrics.put(run.name() + "/" + components.get(k).name(), 100 * after.get(k));
        }
      }
    }
    return metrics;
  }

  /**
   * Which test images the clean and each white-box accuracy got right, for paired comparisons with
   * other stages scored on the same images ({@link ImageOutcomes}); black-box sets are left out.
   */
  private ImageOutcomes outcomes(RobustnessEvaluation.Result result, List<RobustnessEvaluation.Run> runs, int size) {
    Map<String, boolean[]> flags = new LinkedHashMap<>();
    flags.put("clean", result.cleanFlags());
    for (RobustnessEvaluation.Run run : runs) {
      flags.put(run.name(), result.robustFlags().get(run.name()));
    }
    return ImageOutcomes.of(ImageOutcomes.testImages(ctx.input("data").contentHash(), size), size, flags);
  }

  /** The test set, a chunk at a time. */
  private static RobustnessEvaluation.Images images(ImageSet test) {
    return new RobustnessEvaluation.Images() {
      @Override
      public int size() {
        return test.size();
      }

      @Override
      public NDArray images(NDManager manager, int from, int to) {
        return test.images(manager, StageFiles.range(from, to));
      }

      @Override
      public NDArray labels(NDManager manager, int from, int to) {
        return test.labels(manager, StageFiles.range(from, to));
      }
    };
  }
}
