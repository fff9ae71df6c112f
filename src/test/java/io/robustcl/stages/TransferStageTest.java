package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.common.collect.ImmutableMap;
import io.robustcl.ml.model.Network;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code transfer}: a robust head on another dataset, then AT fine-tuning of f and l; and the UPAT
 * baselines' pretrain methods (ss-ood with its rotation head, msd) through the stage.
 */
class TransferStageTest {

  @TempDir Path temp;

  private Artifact dataset(String name, long seed) throws Exception {
    DatasetStage stage = new DatasetStage();
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage,
        Map.of("source", "synthetic", "train_count", 16L, "test_count", 8L, "image_size", 8L, "seed", seed)), Map.of(),
        temp.resolve(name));
    stage.run(ctx);
    return new Artifact(name, "dataset", "dataset", "k" + name, "h" + name, ctx.outputDir, Params.empty(), ImmutableMap.of());
  }

  private Artifact pretrain(Artifact data, String method, List<Long> projector) throws Exception {
    PretrainStage stage = new PretrainStage();
    Params params = StageValidationTest.params(stage, Map.of(
        "method", method, "augment", method.equals("rocl") ? "simclr-blur" : "crop-flip", "width", 2L,
        "blocks", List.of(1L), "projector", projector, "epochs", 1L, "batch_size", 8L, "steps", 1L,
        "eps", 8 / 255.0, "step", 4 / 255.0));
    assertEquals(List.of(), stage.validate(params));
    FakeStageContext ctx = new FakeStageContext(params, Map.of("data", List.of(data)), temp.resolve("out-" + method),
        temp.resolve("work-" + method));
    stage.run(ctx);
    assertTrue(Double.isFinite(ctx.metrics.get("final_loss")), method);
    return new Artifact("pretrain-" + method, "pretrain", "model", "k" + method, "h" + method, ctx.outputDir,
        Params.empty(), ImmutableMap.of());
  }

  @Test
  void robustHeadThenFineTuningTrainsTheEncoderOnTheTargetData() throws Exception {
    Artifact source = pretrain(dataset("a", 1), "rocl", List.of(8L, 4L));
    Artifact target = dataset("b", 2);
    TransferStage stage = new TransferStage();
    Params params = StageValidationTest.params(stage, Map.of("head", "robust", "fine_tune", "at", "epochs", 1L,
        "batch_size", 8L, "steps", 1L));
    FakeStageContext ctx = new FakeStageContext(params, Map.of("model", List.of(source), "data", List.of(target)),
        temp.resolve("transfer"), temp.resolve("work-transfer"));
    stage.run(ctx);
    try (NDManager manager = NDManager.newBaseManager()) {
      Network before = Network.load(source.dir().resolve(StageFiles.NETWORK), manager);
      Network after = Network.load(ctx.outputDir.resolve(StageFiles.NETWORK), manager);
      assertEquals(10, after.spec().classes(), "a head for the target's classes");
      float[] f0 = before.encoderParameters().get(0).getValue().getArray().toFloatArray();
      float[] f1 = after.encoderParameters().get(0).getValue().getArray().toFloatArray();
      assertFalse(java.util.Arrays.equals(f0, f1), "fine_tune: at trains f");
    }
    assertTrue(Files.exists(temp.resolve("work-transfer/checkpoints-fine-tune")), "the phases checkpoint apart");
  }

  @Test
  void upatBaselinesTrainThroughTheStage() throws Exception {
    Artifact data = dataset("c", 3);
    pretrain(data, "ss-ood", List.of(4L));
    pretrain(data, "msd", List.of());
    pretrain(data, "alp", List.of());
    PretrainStage stage = new PretrainStage();
    assertTrue(stage.validate(StageValidationTest.params(stage, Map.of("method", "ss-ood", "augment", "crop-flip",
        "projector", List.of(8L)))).stream().anyMatch(p -> p.contains("projector: [4]")));
    assertTrue(stage.validate(StageValidationTest.params(stage, Map.of("method", "rocl", "attacked_view", "t",
        "attack_target", "t"))).stream().anyMatch(p -> p.contains("attack_target")));
  }
}
