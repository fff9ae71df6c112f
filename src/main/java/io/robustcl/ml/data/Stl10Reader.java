package io.robustcl.ml.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads STL-10 in its official binary format ({@code stl10_binary}): {@code *_X.bin} holds
 * uint8 images of 3x96x96 stored channel by channel, each channel column-major (as MATLAB
 * writes it); {@code *_y.bin} one label byte per image, 1..10 (stored here as 0..9). The
 * unlabeled split (100000 images, 2.7 GB) gets label -1; read it with a limit unless the
 * memory is there.
 */
public final class Stl10Reader {
    /** The STL-10 classes, in label order (used when class_names.txt is absent). */
    public static final List<String> CLASSES = List.of("airplane", "bird", "car", "cat", "deer", "dog", "horse",
            "monkey", "ship", "truck");
    private static final int SIDE = 96;
    private static final int PIXELS = 3 * SIDE * SIDE;

    private Stl10Reader() {}

    public static ImageSet readTrain(Path dir) throws IOException {
        return readLabelled(dir, "train", Integer.MAX_VALUE);
    }

    public static ImageSet readTrain(Path dir, int limit) throws IOException {
        return readLabelled(dir, "train", limit);
    }

    public static ImageSet readTest(Path dir) throws IOException {
        return readLabelled(dir, "test", Integer.MAX_VALUE);
    }

    public static ImageSet readTest(Path dir, int limit) throws IOException {
        return readLabelled(dir, "test", limit);
    }

    /** At most {@code limit} images of {@code unlabeled_X.bin}, all with label -1. */
    public static ImageSet readUnlabeled(Path dir, int limit) throws IOException {
        List<String> classes = LabelledRecordFile.classNames(dir.resolve("class_names.txt"), CLASSES);
        Object[] images = readImages(dir.resolve("unlabeled_X.bin"), limit);
        int[] labels = new int[images.length];
        java.util.Arrays.fill(labels, -1);
        return ImageSet.wrap(classes, 3, SIDE, SIDE, ImageSet.PixelStorage.UINT8, images, labels);
    }

    private static ImageSet readLabelled(Path dir, String split, int limit) throws IOException {
        List<String> classes = LabelledRecordFile.classNames(dir.resolve("class_names.txt"), CLASSES);
        Path xFile = dir.resolve(split + "_X.bin");
        Path yFile = dir.resolve(split + "_y.bin");
        Object[] images = readImages(xFile, limit);
        if (!Files.isRegularFile(yFile)) {
            throw new java.io.FileNotFoundException(yFile + ": missing (labels for " + xFile.getFileName() + ")");
        }
        long labelCount = Files.size(yFile);
        long imageCount = Files.size(xFile) / PIXELS;
        if (labelCount != imageCount) {
            throw new MalformedDataException(yFile, Math.min(labelCount, imageCount),
                    labelCount + " labels for " + imageCount + " images in " + xFile.getFileName());
        }
        int[] labels = new int[images.length];
        try (PositionedInput in = new PositionedInput(yFile)) {
            byte[] raw = new byte[images.length];
            in.readFully(raw, "the labels");
            for (int i = 0; i < raw.length; i++) {
                int value = raw[i] & 0xff;
                if (value < 1 || value > classes.size()) {
                    throw new MalformedDataException(yFile, i, "label " + value + " outside 1.." + classes.size());
                }
                labels[i] = value - 1;
            }
        }
        return ImageSet.wrap(classes, 3, SIDE, SIDE, ImageSet.PixelStorage.UINT8, images, labels);
    }

    private static Object[] readImages(Path file, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": missing (expected the extracted stl10_binary.tar.gz)");
        }
        long length = Files.size(file);
        if (length % PIXELS != 0) {
            throw new MalformedDataException(file, length - length % PIXELS, "truncated or malformed: " + length
                    + " bytes is not a multiple of the " + PIXELS + "-byte image; the last image is incomplete");
        }
        int count = (int) Math.min(length / PIXELS, limit);
        Object[] images = new Object[count];
        byte[] columnMajor = new byte[PIXELS];
        try (PositionedInput in = new PositionedInput(file)) {
            for (int i = 0; i < count; i++) {
                in.readFully(columnMajor, "image " + i);
                byte[] image = new byte[PIXELS];
                // column-major (c, x, y) on disk -> row-major (c, y, x)
                for (int c = 0; c < 3; c++) {
                    int plane = c * SIDE * SIDE;
                    for (int x = 0; x < SIDE; x++) {
                        for (int y = 0; y < SIDE; y++) {
                            image[plane + y * SIDE + x] = columnMajor[plane + x * SIDE + y];
                        }
                    }
                }
                images[i] = image;
            }
        }
        return images;
    }
}
