package io.robustcl.ml.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads STL-10 in its official binary format ({@code stl10_binary}): {@code *_X.bin} holds
 * uint8 images of 3x96x96 stored channel by channel, each channel column-major (as MATLAB
 * writes it); {@code *_y.bin} one label byte per image, 1..10 (stored here as 0..9). The
 * unlabeled split (100000 images, 2.7 GB) gets label -1: {@link #writeUnlabeled} streams it into an
 * image-set file one image at a time (open it with {@link ImageSet#open}, which maps it rather than
 * reading it); {@link #readUnlabeled} reads a few into memory. Each reader can resize to
 * {@code side x side} as it reads ({@link AntialiasedResize}, the 32x32 of the transfer protocol),
 * so no 96x96 copy of a split is kept.
 */
public final class Stl10Reader {
    /** The STL-10 classes, in label order (used when class_names.txt is absent). */
    public static final List<String> CLASSES = List.of("airplane", "bird", "car", "cat", "deer", "dog", "horse",
            "monkey", "ship", "truck");
    private static final int SIDE = 96;
    private static final int PIXELS = 3 * SIDE * SIDE;

    private Stl10Reader() {}

    /** The native side of STL-10's images. */
    public static final int NATIVE_SIDE = SIDE;

    public static ImageSet readTrain(Path dir) throws IOException {
        return readLabelled(dir, "train", Integer.MAX_VALUE, SIDE);
    }

    /** At most {@code limit} train images, resized to {@code side x side}. */
    public static ImageSet readTrain(Path dir, int limit, int side) throws IOException {
        return readLabelled(dir, "train", limit, side);
    }

    public static ImageSet readTest(Path dir) throws IOException {
        return readLabelled(dir, "test", Integer.MAX_VALUE, SIDE);
    }

    /** At most {@code limit} test images, resized to {@code side x side}. */
    public static ImageSet readTest(Path dir, int limit, int side) throws IOException {
        return readLabelled(dir, "test", limit, side);
    }

    /** At most {@code limit} images of {@code unlabeled_X.bin} in memory, all with label -1. */
    public static ImageSet readUnlabeled(Path dir, int limit) throws IOException {
        List<String> classes = LabelledRecordFile.classNames(dir.resolve("class_names.txt"), CLASSES);
        Object[] images = readImages(dir.resolve("unlabeled_X.bin"), limit, SIDE);
        int[] labels = new int[images.length];
        java.util.Arrays.fill(labels, -1);
        return ImageSet.wrap(classes, 3, SIDE, SIDE, ImageSet.PixelStorage.UINT8, images, labels);
    }

    /**
     * Streams at most {@code limit} images of {@code unlabeled_X.bin}, resized to {@code side x side},
     * into an image-set directory {@code out}, holding one image at a time.
     *
     * @return the number of images written
     */
    public static int writeUnlabeled(Path dir, int limit, int side, Path out) throws IOException {
        List<String> classes = LabelledRecordFile.classNames(dir.resolve("class_names.txt"), CLASSES);
        Path file = dir.resolve("unlabeled_X.bin");
        int count = imageCount(file, limit);
        int[] labels = new int[count];
        java.util.Arrays.fill(labels, -1);
        AntialiasedResize resize = new AntialiasedResize(side, side);
        byte[] columnMajor = new byte[PIXELS];
        try (PositionedInput in = new PositionedInput(file)) {
            ImageSet.saveStreaming(out, classes, 3, side, side, labels, i -> {
                in.readFully(columnMajor, "image " + i);
                return resize.apply(rowMajor(columnMajor), 3, SIDE, SIDE);
            });
        }
        return count;
    }

    private static ImageSet readLabelled(Path dir, String split, int limit, int side) throws IOException {
        List<String> classes = LabelledRecordFile.classNames(dir.resolve("class_names.txt"), CLASSES);
        Path xFile = dir.resolve(split + "_X.bin");
        Path yFile = dir.resolve(split + "_y.bin");
        Object[] images = readImages(xFile, limit, side);
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
        return ImageSet.wrap(classes, 3, side, side, ImageSet.PixelStorage.UINT8, images, labels);
    }

    private static int imageCount(Path file, int limit) throws IOException {
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
        return (int) Math.min(length / PIXELS, limit);
    }

    private static Object[] readImages(Path file, int limit, int side) throws IOException {
        int count = imageCount(file, limit);
        AntialiasedResize resize = new AntialiasedResize(side, side);
        Object[] images = new Object[count];
        byte[] columnMajor = new byte[PIXELS];
        try (PositionedInput in = new PositionedInput(file)) {
            for (int i = 0; i < count; i++) {
                in.readFully(columnMajor, "image " + i);
                byte[] image = rowMajor(columnMajor);
                images[i] = side == SIDE ? image : resize.apply(image, 3, SIDE, SIDE);
            }
        }
        return images;
    }

    /** Column-major (c, x, y) on disk -> row-major (c, y, x). */
    private static byte[] rowMajor(byte[] columnMajor) {
        byte[] image = new byte[PIXELS];
        for (int c = 0; c < 3; c++) {
            int plane = c * SIDE * SIDE;
            for (int x = 0; x < SIDE; x++) {
                for (int y = 0; y < SIDE; y++) {
                    image[plane + y * SIDE + x] = columnMajor[plane + x * SIDE + y];
                }
            }
        }
        return image;
    }
}
