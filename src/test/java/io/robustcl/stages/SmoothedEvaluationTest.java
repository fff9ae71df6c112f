package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RoCL table 3 through {@code evaluate}: transformation-smoothed inference (eq. 8), black-box accuracy
 * on an attack stage's set, the EoT attack and the robustness-vs-draws curve (Fig. 3(d)).
 */
class SmoothedEvaluationTest {

  @TempDir Path temp;

  private Artifact run(io.robustcl.pipeline.Stage stage, String name, String kind, Map<String, Object> params,
      Map<String, List<Artifact>> inputs) throws Exception {
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage, params), inputs, temp.resolve(name),
        temp.resolve("work-" + name));
    assertEquals(List.of(), stage.validate(StageValidationTest.params(stage, params)), name);
    stage.run(ctx);
    return new Artifact(name, "t", kind, "k" + name, "h" + name, ctx.outputDir, Params.empty(),
        ImmutableMap.copyOf(ctx.metrics));
  }

  @Test
  void smoothedCleanBlackBoxEotAndDrawsCurveAreAccuracies() throws Exception {
    Artifact data = run(new DatasetStage(), "data", "dataset",
        Map.of("source", "synthetic", "train_count", 24L, "test_count", 12L, "image_size", 8L), Map.of());
    Artifact model = run(new PretrainStage(), "at", "model", Map.of("method", "at", "augment", "crop-flip",
        "width", 2L, "blocks", List.of(1L), "projector", List.of(), "epochs", 1L, "batch_size", 12L, "steps", 1L),
        Map.of("data", List.of(data)));
    Artifact adversarial = run(new AttackStage(), "attack-at-8", "adversarial-set", Map.of("steps", 2L),
        Map.of("model", List.of(model), "data", List.of(data)));
    Artifact metrics = run(new EvaluateStage(), "eval", "metrics", Map.of("inference", "transformation-smoothed",
        "smoothing_draws", 2L, "attacks", List.of("eot-pgd"), "threats", List.of("linf:8/255"), "steps", 2L,
        "eot_draws", 2L, "draws_curve", List.of(1L, 3L)),
        Map.of("model", List.of(model), "data", List.of(data), "adversarial", List.of(adversarial)));
    for (String name : List.of("clean", "eot-pgd/linf:8/255", "bb.attack-at-8", "curve.clean.1", "curve.clean.3",
        "curve.attack-at-8.1", "curve.attack-at-8.3")) {
      Double value = metrics.metrics().get(name);
      assertTrue(value != null && value >= 0 && value <= 100, name + " = " + value + " in " + metrics.metrics());
    }
    List<String> csv = Files.readAllLines(metrics.dir().resolve("draws.csv"));
    assertEquals("draws,set,accuracy", csv.get(0));
    assertEquals(5, csv.size(), csv.toString());
    EvaluateStage stage = new EvaluateStage();
    assertTrue(stage.validate(StageValidationTest.params(stage, Map.of("draws_curve", List.of(2L)))).stream()
        .anyMatch(p -> p.contains("transformation-smoothed")), "the curve needs smoothed inference");
  }
}
