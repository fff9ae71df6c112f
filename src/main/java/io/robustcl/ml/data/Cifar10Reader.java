package io.robustcl.ml.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads CIFAR-10 in its official binary format ({@code cifar-10-batches-bin}): files of 10000
 * records of 1 label byte and 3072 pixel bytes (1024 R, then G, then B, rows top to bottom).
 * The training set is every {@code data_batch_<k>.bin} present, in order of k.
 */
public final class Cifar10Reader {
    /** The CIFAR-10 classes, in label order. */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    private static final Pattern TRAIN_FILE = Pattern.compile("data_batch_(\\d+)\\.bin");
    private static final int PIXELS = 3 * 32 * 32;

    private Cifar10Reader() {}

    /** The training images of all {@code data_batch_*.bin} files in {@code dir}. */
    public static ImageSet readTrain(Path dir) throws IOException {
        return readTrain(dir, Integer.MAX_VALUE);
    }

    /** At most {@code limit} training images, taken from the batches in order. */
    public static ImageSet readTrain(Path dir, int limit) throws IOException {
        List<Path> files = trainFiles(dir);
        if (files.isEmpty()) {
            throw new java.io.FileNotFoundException(dir + ": no data_batch_*.bin files (expected the extracted "
                    + "cifar-10-binary.tar.gz, directory cifar-10-batches-bin)");
        }
        return read(dir, files, limit);
    }

    /** The test images ({@code test_batch.bin}). */
    public static ImageSet readTest(Path dir) throws IOException {
        return readTest(dir, Integer.MAX_VALUE);
    }

    /** At most {@code limit} test images. */
    public static ImageSet readTest(Path dir, int limit) throws IOException {
        return read(dir, List.of(dir.resolve("test_batch.bin")), limit);
    }

    /** The training batch files present in {@code dir}, ordered by batch number. */
    public static List<Path> trainFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new java.io.FileNotFoundException(dir + ": not a directory (expected cifar-10-batches-bin)");
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> TRAIN_FILE.matcher(p.getFileName().toString()).matches())
                    .sorted((a, b) -> Integer.compare(batchNumber(a), batchNumber(b)))
                    .toList();
        }
    }

    private static int batchNumber(Path p) {
        Matcher m = TRAIN_FILE.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static ImageSet read(Path dir, List<Path> files, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        List<String> classes = LabelledRecordFile.classNames(dir.resolve("batches.meta.txt"), CLASSES);
        List<Object> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path file : files) {
            int remaining = limit - images.size();
            if (remaining <= 0) {
                break;
            }
            LabelledRecordFile.read(file, 1, 0, PIXELS, classes.size(), remaining, images, labels);
        }
        return LabelledRecordFile.toImageSet(classes, 3, 32, 32, images, labels);
    }
}
