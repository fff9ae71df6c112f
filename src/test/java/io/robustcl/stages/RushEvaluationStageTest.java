package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RUSH end to end on a few tiny images: pre-training, fine-tuning on Q(x), smoothed evaluation (I_F+). */
class RushEvaluationStageTest {

  @TempDir Path temp;

  private static Artifact artifact(String stage, String type, FakeStageContext ctx) {
    return new Artifact(stage, type, type, stage, stage, ctx.outputDir, ctx.params, ImmutableMap.copyOf(ctx.metrics));
  }

  @Test
  void smoothedEvaluationScoresTheVoteUnderEq7Pgd() throws Exception {
    DatasetStage dataset = new DatasetStage();
    FakeStageContext data = new FakeStageContext(StageValidationTest.params(dataset,
        Map.of("source", "synthetic", "train_count", 16L, "test_count", 8L, "image_size", 8L)), Map.of(), temp.resolve("data"));
    dataset.run(data);
    Artifact dataArtifact = artifact("data", "dataset", data);

    PretrainStage pretrain = new PretrainStage();
    FakeStageContext pre = new FakeStageContext(StageValidationTest.params(pretrain, Map.of("method", "rush", "width", 2L,
        "blocks", List.of(1L), "projector", List.of(8L, 4L), "epochs", 1L, "batch_size", 8L)),
        Map.of("data", List.of(dataArtifact)), temp.resolve("pre"), temp.resolve("pre-work"));
    pretrain.run(pre);

    LinearEvalStage le = LinearEvalStage.clean();
    FakeStageContext head = new FakeStageContext(StageValidationTest.params(le, Map.of("epochs", 1L, "batch_size", 8L,
        "noise", "uniform", "bn_bias", true, "adapt_bn", true, "weight_decay", 2e-4, "schedule", "cosine", "lr_min", 0.001)),
        Map.of("model", List.of(artifact("pretrain", "pretrain", pre)), "data", List.of(dataArtifact)),
        temp.resolve("le"), temp.resolve("le-work"));
    le.run(head);

    EvaluateStage evaluate = new EvaluateStage();
    Map<String, Object> params = Map.of("inference", "smoothed", "draws", 4L, "attacks", List.of("pgd"),
        "threats", List.of("linf:8/255"), "steps", 2L, "batch_size", 4L);
    assertTrue(evaluate.validate(StageValidationTest.params(evaluate, params)).isEmpty());
    assertFalse(evaluate.validate(StageValidationTest.params(evaluate,
        Map.of("inference", "smoothed", "noise", "none"))).isEmpty(), "smoothing without Q is refused");
    FakeStageContext eval = new FakeStageContext(StageValidationTest.params(evaluate, params),
        Map.of("model", List.of(artifact("le", "linear-eval", head)), "data", List.of(dataArtifact)),
        temp.resolve("eval"), temp.resolve("eval-work"));
    evaluate.run(eval);
    double clean = eval.metrics.get("clean");
    double robust = eval.metrics.get("linf:8/255");
    assertTrue(clean >= 0 && clean <= 100 && robust >= 0 && robust <= 100, eval.metrics.toString());
    assertTrue(head.metrics.get("train_seconds_total") > head.metrics.get("train_seconds"));
  }
}
