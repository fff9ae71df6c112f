package io.robustcl.stages;

import io.robustcl.ml.data.Cifar100Reader;
import io.robustcl.ml.data.Cifar10Reader;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.Stl10Reader;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.StageContext;
import java.nio.file.Path;

/** The computation of a {@link DatasetStage}: reads or generates both splits and saves them. */
final class DatasetBuilder {

  private DatasetBuilder() {}

  static void build(StageContext ctx) throws Exception {
    Params p = ctx.params();
    String source = p.getString("source");
    int trainCount = p.getInt("train_count");
    int testCount = p.getInt("test_count");
    ImageSet train;
    ImageSet test;
    if (source.equals("synthetic")) {
      int size = p.getInt("image_size");
      int classes = p.getInt("classes");
      // distinct seeds per split: the test images are new instances, not copies of training ones
      train = SyntheticShapes.generate(trainCount, size, classes, p.getLong("seed") * 2);
      test = SyntheticShapes.generate(testCount, size, classes, p.getLong("seed") * 2 + 1);
    } else {
      Path dir = DatasetStage.formatDir(source, Path.of(p.getString("path")));
      if (dir == null) {
        throw new IllegalArgumentException("param 'path': no " + source + " binary files below '" + p.getString("path")
            + "'");
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
          train = Stl10Reader.readTrain(dir, trainLimit);
          test = Stl10Reader.readTest(dir, testLimit);
        }
        default -> throw new IllegalArgumentException("param 'source': unknown source '" + source + "'");
      }
    }
    train.save(ctx.outputDir().resolve(StageFiles.TRAIN));
    test.save(ctx.outputDir().resolve(StageFiles.TEST));
    ctx.putMetric("train_images", train.size());
    ctx.putMetric("test_images", test.size());
    ctx.putMetric("classes", train.classes().size());
  }
}
