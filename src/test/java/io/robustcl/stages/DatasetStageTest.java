package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.data.ImageSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetStageTest {

  @TempDir Path temp;

  @Test
  void syntheticSplitsAreSavedWithTheRequestedCountsAndDiffer() throws Exception {
    DatasetStage stage = new DatasetStage();
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage,
        Map.of("source", "synthetic", "train_count", 30L, "test_count", 20L, "image_size", 8L, "seed", 3L)),
        Map.of(), temp);
    stage.run(ctx);
    ImageSet train = ImageSet.load(ctx.outputDir.resolve("train"));
    ImageSet test = ImageSet.load(ctx.outputDir.resolve("test"));
    assertEquals(30, train.size());
    assertEquals(20, test.size());
    assertEquals(8, train.height());
    assertEquals(io.robustcl.ml.data.SyntheticImages.CLASSES, train.classes());
    assertTrue(!java.util.Arrays.equals(train.imageAsFloats(0), test.imageAsFloats(0)), "test images are new instances");
    assertEquals(30.0, ctx.metrics.get("train_images"));
  }

  @Test
  void cifar10SubsetIsReadFromTheParentDirectory() throws Exception {
    Path data = Path.of("../shared/data");
    Assumptions.assumeTrue(Files.isDirectory(data.resolve("cifar-10-batches-bin")), "CIFAR-10 subset absent");
    DatasetStage stage = new DatasetStage();
    var params = StageValidationTest.params(stage,
        Map.of("source", "cifar10", "path", data.toString(), "train_count", 50L, "test_count", 40L));
    assertEquals(List.of(), stage.validate(params));
    FakeStageContext ctx = new FakeStageContext(params, Map.of(), temp);
    stage.run(ctx);
    ImageSet test = ImageSet.load(ctx.outputDir.resolve("test"));
    assertEquals(40, test.size());
    assertEquals(32, test.height());
    assertEquals("airplane", test.classes().get(0));
  }
}
