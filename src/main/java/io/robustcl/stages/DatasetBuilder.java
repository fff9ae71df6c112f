package io.robustcl.stages;

import io.robustcl.ml.data.Cifar100Reader;
import io.robustcl.ml.data.Cifar10Reader;
import io.robustcl.ml.data.ClassBalancedSubset;
import io.robustcl.ml.data.DatasetArchive;
import io.robustcl.ml.data.DatasetDownloader;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.SyntheticImages;
import io.robustcl.ml.data.Stl10Reader;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.StageContext;
import java.nio.file.Path;

/** The computation of a {@link DatasetStage}: reads or generates both splits and saves them. */
final class DatasetBuilder {

  private DatasetBuilder() {}

  private static DatasetArchive archive(String source) {
    return switch (source) {
      case "cifar10" -> DatasetArchive.CIFAR10;
      case "cifar100" -> DatasetArchive.CIFAR100;
      case "stl10" -> DatasetArchive.STL10;
      default -> throw new IllegalArgumentException("no archive for source '" + source + "'");
    };
  }

  /**
   * {@code count} images of {@code set} as a seeded class-balanced subset (the whole set when count is 0
   * or at least its size).
   */
  static ImageSet balanced(ImageSet set, int count, long seed) {
    if (count == 0 || count >= set.size()) {
      return set;
    }
    return set.subset(ClassBalancedSubset.draw(set.labels(), set.classes().size(), count, seed));
  }

  static void build(StageContext ctx) throws Exception {
    Params p = ctx.params();
    String source = p.getString("source");
    int trainCount = p.getInt("train_count");
    int testCount = p.getInt("test_count");
    ImageSet train;
    ImageSet test;
    if (source.equals("synthetic")) {
      int size = p.getInt("image_size");
      // distinct seeds per split: the test images are new instances, not copies of training ones
      train = SyntheticImages.generate(trainCount, size, p.getLong("seed") * 2);
      test = SyntheticImages.generate(testCount, size, p.getLong("seed") * 2 + 1);
    } else {
      Path root = p.getString("path").isEmpty()
          ? new DatasetDownloader(Path.of(p.getString("download_dir"))).fetch(archive(source))
          : Path.of(p.getString("path"));
      Path dir = DatasetStage.formatDir(source, root);
      if (dir == null) {
        throw new IllegalArgumentException("param 'path': no " + source + " binary files below '" + root + "'");
      }
      int offset = p.getInt("offset");
      int window = p.getInt("window");
      // only what the window needs is read: the records before it and the window itself
      int trainLimit = window == 0 ? Integer.MAX_VALUE : offset + window;
      ImageSet allTrain;
      switch (source) {
        case "cifar10" -> {
          allTrain = Cifar10Reader.readTrain(dir, trainLimit);
          test = Cifar10Reader.readTest(dir);
        }
        case "cifar100" -> {
          allTrain = Cifar100Reader.readTrain(dir, trainLimit);
          test = Cifar100Reader.readTest(dir);
        }
        case "stl10" -> {
          int side = p.getInt("image_size");
          test = Stl10Reader.readTest(dir, Integer.MAX_VALUE, side);
          if (p.getString("train_split").equals("unlabeled")) {
            // RUSH's STL-10-unlabeled column: streamed to the artifact, never whole in memory (the
            // first train_count images; no window or class balance: it has no labels)
            int limit = trainCount == 0 ? Integer.MAX_VALUE : trainCount;
            int written = Stl10Reader.writeUnlabeled(dir, limit, side, ctx.outputDir().resolve(StageFiles.TRAIN));
            test = balanced(test, testCount, p.getLong("seed") * 2 + 1);
            test.save(ctx.outputDir().resolve(StageFiles.TEST));
            putMetrics(ctx, written, test);
            return;
          }
          allTrain = Stl10Reader.readTrain(dir, trainLimit, side);
        }
        default -> throw new IllegalArgumentException("param 'source': unknown source '" + source + "'");
      }
      if (offset >= allTrain.size()) {
        throw new IllegalArgumentException("param 'offset': " + offset + " is past the " + allTrain.size()
            + " training images in '" + dir + "'; choose an offset below " + allTrain.size());
      }
      int end = window == 0 ? allTrain.size() : Math.min(allTrain.size(), offset + window);
      ImageSet windowed = allTrain.subset(java.util.stream.IntStream.range(offset, end).toArray());
      long seed = p.getLong("seed");
      train = balanced(windowed, trainCount, seed * 2);
      test = balanced(test, testCount, seed * 2 + 1);
      ctx.putMetric("train_window_first", offset);
      ctx.putMetric("train_window_images", windowed.size());
    }
    train.save(ctx.outputDir().resolve(StageFiles.TRAIN));
    test.save(ctx.outputDir().resolve(StageFiles.TEST));
    putMetrics(ctx, train.size(), test);
  }

  private static void putMetrics(StageContext ctx, int trainImages, ImageSet test) {
    ctx.putMetric("train_images", trainImages);
    ctx.putMetric("test_images", test.size());
    ctx.putMetric("classes", test.classes().size());
  }
}
