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

/** A RoCL pre-training on a few tiny images: artifact files, metrics, and resume from the work directory. */
class PretrainStageTest {

  @TempDir Path temp;

  private Artifact dataset() throws Exception {
    DatasetStage stage = new DatasetStage();
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage,
        Map.of("source", "synthetic", "train_count", 16L, "test_count", 8L, "image_size", 8L)), Map.of(),
        temp.resolve("data"));
    stage.run(ctx);
    return new Artifact("data", "dataset", "dataset", "k", "h", ctx.outputDir, Params.empty(), ImmutableMap.of());
  }

  private FakeStageContext pretrain(Artifact data, long epochs, String out) {
    PretrainStage stage = new PretrainStage();
    Params params = StageValidationTest.params(stage, Map.of(
        "method", "rocl", "width", 2L, "blocks", List.of(1L), "projector", List.of(8L, 4L), "epochs", epochs,
        "batch_size", 8L, "steps", 1L, "eps", 8 / 255.0, "step", 4 / 255.0));
    return new FakeStageContext(params, Map.of("data", List.of(data)), temp.resolve(out), temp.resolve("work"));
  }

  @Test
  void writesNetworkCurveAndMetricsAndResumesFromCheckpoints() throws Exception {
    Artifact data = dataset();
    FakeStageContext first = pretrain(data, 1, "out1");
    new PretrainStage().run(first);
    assertTrue(Files.size(first.outputDir.resolve("network.bin")) > 0);
    List<String> curve = Files.readAllLines(first.outputDir.resolve("curve.csv"));
    assertEquals(2, curve.size(), curve.toString());
    assertTrue(curve.get(1).startsWith("1,"), curve.toString());
    assertEquals(1.0, first.metrics.get("epochs"));
    assertTrue(Double.isFinite(first.metrics.get("final_loss")));
    assertTrue(first.progress.stream().allMatch(p -> p.phase().equals("rocl") && p.epochs() == 1), "progress reported");

    // a second attempt with more epochs in the same work directory continues after epoch 1
    FakeStageContext second = pretrain(data, 2, "out2");
    new PretrainStage().run(second);
    assertTrue(second.logs.stream().anyMatch(l -> l.contains("resuming at epoch 2")), second.logs.toString());
    List<String> resumed = Files.readAllLines(second.outputDir.resolve("curve.csv"));
    assertEquals(List.of("epoch,mean_loss", curve.get(1)), resumed.subList(0, 2),
        "the resumed run's curve keeps the epoch trained before the crash");
    assertEquals(3, resumed.size(), resumed.toString());
    assertTrue(resumed.get(2).startsWith("2,"), resumed.toString());
    assertTrue(second.metrics.get("images_per_second") > 0, "throughput is a metric, not part of the artifact");
  }
}
