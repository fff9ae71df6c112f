package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

  /**
   * A CIFAR-10 binary directory of {@code records} training records whose first pixel byte is the
   * record's index mod 256 and second byte index / 256, labels i mod 10 (skewed: records 0-9 are all
   * class 0), and 30 test records.
   */
  private static Path fakeCifar10(Path root, int records) throws java.io.IOException {
    Path dir = root.resolve("cifar-10-batches-bin");
    Files.createDirectories(dir);
    for (String name : List.of("data_batch_1.bin", "test_batch.bin")) {
      int n = name.startsWith("data") ? records : 30;
      byte[] bytes = new byte[n * 3073];
      for (int i = 0; i < n; i++) {
        bytes[i * 3073] = (byte) (i < 10 ? 0 : i % 10);
        bytes[i * 3073 + 1] = (byte) (i % 256);
        bytes[i * 3073 + 2] = (byte) (i / 256);
      }
      Files.write(dir.resolve(name), bytes);
    }
    return root;
  }

  private static int[] recordsOf(ImageSet set) {
    int[] out = new int[set.size()];
    for (int i = 0; i < out.length; i++) {
      float[] pixels = set.imageAsFloats(i);
      out[i] = Math.round(pixels[0] * 255) + 256 * Math.round(pixels[1] * 255);
    }
    return out;
  }

  private ImageSet train(Path data, Map<String, Object> extra) throws Exception {
    DatasetStage stage = new DatasetStage();
    Map<String, Object> values = new java.util.HashMap<>(Map.of("source", "cifar10", "path", data.toString(),
        "train_count", 40L, "test_count", 20L));
    values.putAll(extra);
    var params = StageValidationTest.params(stage, values);
    assertEquals(List.of(), stage.validate(params));
    Path out = Files.createTempDirectory(temp, "run");
    FakeStageContext ctx = new FakeStageContext(params, Map.of(), out);
    stage.run(ctx);
    return ImageSet.load(ctx.outputDir.resolve("train"));
  }

  @Test
  void realSubsetsAreSeededClassBalancedAndDrawnFromTheWindow() throws Exception {
    Path data = fakeCifar10(temp.resolve("data"), 300);
    ImageSet a = train(data, Map.of("seed", 1L, "offset", 100L, "window", 150L));
    int[] records = recordsOf(a);
    assertEquals(40, records.length);
    assertTrue(java.util.Arrays.stream(records).allMatch(r -> r >= 100 && r < 250), java.util.Arrays.toString(records));
    int[] perClass = new int[10];
    for (int i = 0; i < a.size(); i++) {
      perClass[a.label(i)]++;
    }
    assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, perClass);
    assertArrayEquals(records, recordsOf(train(data, Map.of("seed", 1L, "offset", 100L, "window", 150L))));
    int[] otherSeed = recordsOf(train(data, Map.of("seed", 2L, "offset", 100L, "window", 150L)));
    assertTrue(!java.util.Arrays.equals(records, otherSeed), "the seed must choose the subset");
    // the default window is everything: the first 10 records (all class 0) no longer dominate
    int[] whole = recordsOf(train(data, Map.of("seed", 1L)));
    assertTrue(java.util.Arrays.stream(whole).filter(r -> r < 10).count() <= 4, java.util.Arrays.toString(whole));
    // a window exactly as large as train_count is taken whole
    assertArrayEquals(java.util.stream.IntStream.range(200, 240).toArray(),
        recordsOf(train(data, Map.of("offset", 200L, "window", 40L))));
  }

  @Test
  void windowProblemsAreOneLineErrors() throws Exception {
    DatasetStage stage = new DatasetStage();
    var tooSmall = StageValidationTest.params(stage, Map.of("source", "cifar10", "path", temp.toString(),
        "train_count", 50L, "window", 10L));
    assertTrue(stage.validate(tooSmall).stream().anyMatch(p -> p.contains("param 'train_count'") && p.contains("window")),
        stage.validate(tooSmall).toString());
    var synthetic = StageValidationTest.params(stage, Map.of("source", "synthetic", "train_count", 5L, "test_count", 5L,
        "offset", 3L));
    assertTrue(stage.validate(synthetic).stream().anyMatch(p -> p.contains("'offset'")), stage.validate(synthetic).toString());
    Path data = fakeCifar10(temp.resolve("short"), 50);
    var past = StageValidationTest.params(stage, Map.of("source", "cifar10", "path", data.toString(), "offset", 60L));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> stage.run(new FakeStageContext(past, Map.of(), temp.resolve("out"))));
    assertTrue(e.getMessage().startsWith("param 'offset': 60 is past the 50 training images"), e.getMessage());
  }
}
