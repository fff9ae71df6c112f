package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.Norm;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.attack.RobustAccuracy;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.StageContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The computation of an {@link EvaluateStage}: accuracies in percent. */
final class EvaluateRun {

  private final StageContext ctx;

  EvaluateRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() throws Exception {
    Params p = ctx.params();
    List<AttackSpec> attacks = new ArrayList<>();
    for (String text : p.getStringList("attacks")) {
      attacks.add(AttackSpec.parse(text));
    }
    try (ComputeScope scope = ComputeScope.open(ctx.device(), p.getLong("seed"))) {
      NDManager manager = scope.manager();
      ImageSet test = StageFiles.imageSet(ctx.input("data"), StageFiles.TEST);
      if (p.getInt("limit") > 0) {
        test = test.head(p.getInt("limit"));
      }
      Network network = StageFiles.classifier(ctx.input("model"), manager);
      List<NDArray> parameters = FrozenParameters.arraysOf(network.parameters());
      ParameterStore store = new ParameterStore(manager, false);
      List<PgdAttack> pgd = new ArrayList<>();
      for (AttackSpec a : attacks) {
        double step = Math.max(a.eps() * p.getDouble("step_fraction"), Double.MIN_NORMAL);
        pgd.add(new PgdAttack(Norm.valueOf(a.norm().toUpperCase(Locale.ROOT)), a.eps(), step, p.getInt("steps"),
            p.getBool("random_start"), 1, p.getDouble("l1_sparsity")));
      }
      RobustAccuracy clean = RobustAccuracy.empty();
      RobustAccuracy[] robust = new RobustAccuracy[attacks.size()];
      java.util.Arrays.fill(robust, RobustAccuracy.empty());
      int batch = p.getInt("batch_size");
      int batches = (test.size() + batch - 1) / batch;
      long started = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        int from = b * batch;
        int to = Math.min(test.size(), from + batch);
        int[] indices = StageFiles.range(from, to);
        try (NDManager sub = manager.newSubManager()) {
          NDArray x = test.images(sub, indices);
          NDArray labels = test.labels(sub, indices);
          clean = clean.plus(RobustAccuracy.of(network.logits(store, x, false), labels));
          ClassificationObjective objective =
              new ClassificationObjective(v -> network.logits(store, v, false), labels, test.classes().size());
          for (int a = 0; a < pgd.size(); a++) {
            ctx.checkCancelled();
            NDArray adversarial = pgd.get(a).perturb(x, objective, parameters, scope.random());
            robust[a] = robust[a].plus(RobustAccuracy.of(network.logits(store, adversarial, false), labels));
          }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        ctx.progress(new Progress("evaluate", 0, 0, b + 1, batches, Double.NaN, to / Math.max(seconds, 1e-9)));
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("clean", 100 * clean.accuracy());
      for (int a = 0; a < attacks.size(); a++) {
        metrics.put(attacks.get(a).text(), 100 * robust[a].accuracy());
      }
      StageFiles.writeMetrics(ctx, metrics);
    }
  }
}
