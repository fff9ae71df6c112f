package io.robustcl.stages;

import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import io.robustcl.pipeline.WorkingDirectory;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage type {@code dataset}: a train and a test {@code ImageSet} saved into the artifact
 * ({@code train/}, {@code test/}), so that every downstream key depends on the data's content.
 * Sources: {@code cifar10}, {@code cifar100}, {@code stl10} read from {@code path} in their
 * published binary formats (or, with {@code download: true} and no path, from the official
 * archive, downloaded once and checksum-verified), or {@code synthetic} (ml.data's
 * {@code SyntheticImages}, 10 classes) generated from {@code seed}.
 *
 * <p>Real sources: the train split's window is the records {@code [offset, offset + window)} of the
 * training files in order ({@code window} 0: to the end); {@code train_count} images are drawn from it
 * as a seeded, class-balanced subset ({@code ClassBalancedSubset}; all of the window when it holds no
 * more), and {@code test_count} from the test split likewise. Version 2: version 1 ignored {@code seed}
 * for real sources and took the first images.
 */
public final class DatasetStage implements Stage {

  /** Resolves a relative {@code path} param: the command's directory, not the JVM's (see {@link WorkingDirectory}). */
  private final WorkingDirectory workDir;

  @Inject
  DatasetStage(WorkingDirectory workDir) {
    this.workDir = workDir;
  }

  /** A stage resolving relative paths against the JVM's working directory. */
  public DatasetStage() {
    this(new WorkingDirectory());
  }

  /** Directory names of the published binary formats, looked for inside {@code path}. */
  static final java.util.Map<String, String> FORMAT_DIRS =
      java.util.Map.of("cifar10", "cifar-10-batches-bin", "cifar100", "cifar-100-binary", "stl10", "stl10_binary");

  @Override
  public String doc() {
    return "train and test image sets: cifar10/cifar100/stl10 from a directory, or synthetic";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.string("source", "synthetic", "cifar10, cifar100, stl10 or synthetic")
            .oneOf("cifar10", "cifar100", "stl10", "synthetic"),
        ParamSpec.string("path", "", "directory holding the binary format (or its parent); real sources only"),
        ParamSpec.integer("train_count", 0, "train images kept (0 = all; synthetic: how many are generated)")
            .atLeast(0),
        ParamSpec.integer("test_count", 0, "test images kept (0 = all; synthetic: how many are generated)")
            .atLeast(0),
        ParamSpec.integer("image_size", 32,
            "synthetic: height and width in pixels; stl10: its 96x96 images are resized to this (PIL bilinear, antialiased,"
                + " as torchvision's Resize(32) in the transfer protocol; 96 keeps them)").atLeast(4).atMost(256),
        ParamSpec.string("train_split", "train",
            "stl10: the split saved as train, train or unlabeled (100,000 images streamed to disk, read lazily downstream)")
            .oneOf("train", "unlabeled"),
        ParamSpec.bool("download", false,
            "real sources with an empty path: download the official archive (checksums verified) into download_dir"),
        ParamSpec.string("download_dir", "cache/downloads", "where downloaded archives are extracted"),
        ParamSpec.integer("seed", 0, "synthetic: generator seed; real: seed of the class-balanced random subsets"),
        ParamSpec.integer("offset", 0, "real sources: first train record of the window the subset is drawn from")
            .atLeast(0),
        ParamSpec.integer("window", 0, "real sources: train records in the window (0 = all from offset on)")
            .atLeast(0));
  }

  @Override
  public int version() {
    return 2;
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.DATASET;
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    String source = params.getString("source");
    if (params.getString("train_split").equals("unlabeled") && !source.equals("stl10")) {
      problems.add("param 'train_split': only stl10 has an unlabeled split; use train_split: train for " + source);
    }
    if (source.equals("synthetic")) {
      if (params.getLong("train_count") == 0 || params.getLong("test_count") == 0) {
        problems.add("params 'train_count' and 'test_count': synthetic data needs both > 0 (how many images to generate)");
      }
      if (params.getLong("offset") != 0 || params.getLong("window") != 0) {
        problems.add("params 'offset' and 'window' choose a window of a real source's training files;"
            + " synthetic data has none: remove them or use another seed");
      }
      return problems;
    }
    long window = params.getLong("window");
    if (window != 0 && params.getLong("train_count") > window) {
      problems.add("param 'train_count': " + params.getLong("train_count") + " images cannot be drawn from a window of "
          + window + "; raise 'window' or lower 'train_count'");
    }
    String path = params.getString("path");
    if (path.isEmpty()) {
      if (!params.getBool("download")) {
        problems.add("param 'path': source " + source + " needs the directory holding " + FORMAT_DIRS.get(source)
            + "; pass --data-dir DIR (or set path), or set download: true to fetch the official archive");
      }
    } else if (!Files.isDirectory(workDir.resolve(path))) {
      problems.add("param 'path': directory '" + path + "' does not exist (source " + source + "); fix --data-dir");
    } else if (formatDir(source, workDir.resolve(path)) == null) {
      problems.add("param 'path': neither '" + path + "' nor '" + Path.of(path, FORMAT_DIRS.get(source))
          + "' holds the " + source + " binary files; point --data-dir at the directory containing "
          + FORMAT_DIRS.get(source));
    }
    return problems;
  }

  /** The binary files read from {@code path}: their edits rerun the stage (a downloaded archive is verified instead). */
  @Override
  public List<Path> externalInputs(Params params) {
    String source = params.getString("source");
    String path = params.getString("path");
    if (source.equals("synthetic") || path.isEmpty()) {
      return List.of();
    }
    Path dir = formatDir(source, workDir.resolve(path));
    return List.of(dir == null ? workDir.resolve(path) : dir);
  }

  /** The directory with the binary files: {@code path} itself or {@code path/<format dir>}; null if neither. */
  static @org.jspecify.annotations.Nullable Path formatDir(String source, Path path) {
    String marker = switch (source) {
      case "cifar10" -> "test_batch.bin";
      case "cifar100" -> "test.bin";
      case "stl10" -> "test_X.bin";
      default -> throw new IllegalArgumentException("not a file source: " + source);
    };
    for (Path candidate : List.of(path, path.resolve(FORMAT_DIRS.get(source)))) {
      if (Files.isRegularFile(candidate.resolve(marker))) {
        return candidate;
      }
    }
    return null;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    DatasetBuilder.build(ctx);
  }
}
