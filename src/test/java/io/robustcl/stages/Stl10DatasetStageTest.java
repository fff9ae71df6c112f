package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.data.ImageSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STL-10 in its binary format: resized to 32x32 as read, and the unlabeled split as the train split. */
class Stl10DatasetStageTest {

  @TempDir Path temp;

  private Path stl10(int images) throws Exception {
    Path dir = Files.createDirectories(temp.resolve("stl10_binary"));
    byte[] x = new byte[images * 3 * 96 * 96];
    new Random(1).nextBytes(x);
    byte[] y = new byte[images];
    for (int i = 0; i < images; i++) {
      y[i] = (byte) (1 + i % 10);
    }
    for (String split : new String[] {"train", "test"}) {
      Files.write(dir.resolve(split + "_X.bin"), x);
      Files.write(dir.resolve(split + "_y.bin"), y);
    }
    Files.write(dir.resolve("unlabeled_X.bin"), x);
    return temp;
  }

  @Test
  void unlabeledSplitBecomesTheResizedTrainSplit() throws Exception {
    Path root = stl10(3);
    DatasetStage stage = new DatasetStage();
    Map<String, Object> params = Map.of("source", "stl10", "path", root.toString(), "train_split", "unlabeled");
    assertTrue(stage.validate(StageValidationTest.params(stage, params)).isEmpty());
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage, params), Map.of(), temp.resolve("out"));
    stage.run(ctx);
    ImageSet train = ImageSet.open(ctx.outputDir.resolve(StageFiles.TRAIN));
    ImageSet test = ImageSet.open(ctx.outputDir.resolve(StageFiles.TEST));
    assertEquals(3, train.size());
    assertEquals(32, train.height());
    assertEquals(-1, train.label(0));
    assertEquals(32, test.width());
    assertEquals(3.0, ctx.metrics.get("train_images"));

    Map<String, Object> cifar = Map.of("source", "synthetic", "train_count", 4L, "test_count", 4L, "train_split", "unlabeled");
    assertTrue(stage.validate(StageValidationTest.params(stage, cifar)).stream().anyMatch(p -> p.contains("train_split")));
  }
}
