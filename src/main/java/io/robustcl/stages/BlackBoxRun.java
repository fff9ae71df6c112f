package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.RobustAccuracy;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.StageContext;
import io.robustcl.report.SampleCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The computation of a {@link BlackBoxStage}: accuracies in percent. */
final class BlackBoxRun {

  private final StageContext ctx;

  BlackBoxRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() throws Exception {
    Params p = ctx.params();
    List<Artifact> targets = ctx.inputs("targets");
    List<Artifact> sources = ctx.inputs("sources");
    List<String> targetNames = p.getStringList("target_names");
    List<String> sourceNames = p.getStringList("source_names");
    if (targetNames.size() != targets.size() || sourceNames.size() != sources.size()) {
      throw new IllegalArgumentException("params 'target_names' (" + targetNames.size() + ") and 'source_names' ("
          + sourceNames.size() + ") must name each of the " + targets.size() + " targets and " + sources.size()
          + " sources, in order");
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    try (ComputeScope scope = ComputeScope.open(ctx.device(), 0)) {
      NDManager manager = scope.manager();
      List<ImageSet> sets = new ArrayList<>();
      List<String> sourceOrigins = new ArrayList<>();
      for (Artifact source : sources) {
        sets.add(StageFiles.imageSet(source, StageFiles.ADVERSARIAL_IMAGES));
        sourceOrigins.add(StageFiles.encoderOrigin(source));
      }
      int batch = p.getInt("batch_size");
      if (!sets.isEmpty() && sets.stream().allMatch(set -> set.size() == sets.get(0).size())) {
        metrics.put(SampleCounts.EXAMPLES, (double) sets.get(0).size());
      }
      int done = 0;
      for (int t = 0; t < targets.size(); t++) {
        String targetOrigin = StageFiles.encoderOrigin(targets.get(t));
        try (NDManager targetManager = manager.newSubManager()) {
          java.util.function.UnaryOperator<NDArray> logits = ModelInput.classifier(targets.get(t), targetManager)
              .logits(new ParameterStore(targetManager, false));
          for (int s = 0; s < sets.size(); s++) {
            ctx.checkCancelled();
            done++;
            if (sourceOrigins.get(s).equals(targetOrigin)) {
              continue; // the target's own encoder made this set: not a black-box attack
            }
            ImageSet set = sets.get(s);
            RobustAccuracy accuracy = RobustAccuracy.empty();
            for (int from = 0; from < set.size(); from += batch) {
              int[] indices = StageFiles.range(from, Math.min(set.size(), from + batch));
              try (NDManager sub = targetManager.newSubManager()) {
                NDArray x = set.images(sub, indices);
                accuracy = accuracy.plus(RobustAccuracy.of(logits.apply(x), set.labels(sub, indices)));
              }
            }
            metrics.put("acc." + targetNames.get(t) + "." + sourceNames.get(s), 100 * accuracy.accuracy());
            ctx.progress(new Progress("black-box", 0, 0, done, (long) targets.size() * sets.size(), Double.NaN,
                Double.NaN));
          }
        }
      }
    }
    StageFiles.writeMetrics(ctx, metrics);
  }
}
