package io.robustcl.stages;

import io.robustcl.ml.data.Cifar100Reader;
import io.robustcl.ml.data.Cifar10Reader;
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
      int trainLimit = trainCount == 0 ? Integer.MAX_VALUE : trainCount;
      int testLimit = testCount == 0 ? Integer.MAX_VALUE : testCount;
      switch (source) {
        case "cifar10" -> {
          train = Cifar10Reader.readTrain(dir, trainLimit);
          test = Cifar10Reader.readTest(dir, testLimit);
        }
        case "cifar100" -> {
          train = Cifar100Reader.readTrain(dir, trainLimit);
          test = Cifar100Reader.readTest(dir, testLimit);
        }
        case "stl10" -> {
          int side = p.getInt("image_size");
          test = Stl10Reader.readTest(dir, testLimit, side);
          if (p.getString("train_split").equals("unlabeled")) {
            // RUSH's STL-10-unlabeled column: streamed to the artifact, never whole in memory
            int written = Stl10Reader.writeUnlabeled(dir, trainLimit, side, ctx.outputDir().resolve(StageFiles.TRAIN));
            test.save(ctx.outputDir().resolve(StageFiles.TEST));
            putMetrics(ctx, written, test);
            return;
          }
          train = Stl10Reader.readTrain(dir, trainLimit, side);
        }
        default -> throw new IllegalArgumentException("param 'source': unknown source '" + source + "'");
      }
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
