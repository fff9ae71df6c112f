package io.robustcl.ml.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-disk format of {@link ImageSet}: one file {@value #FILE_NAME} in a directory.
 *
 * <pre>
 * magic    8 bytes  "RCLIMGS\0"
 * version  int32    1
 * storage  int32    0 = uint8, 1 = float32 (little endian)
 * count, channels, height, width, classCount   int32 each
 * classCount x (int32 byte length, UTF-8 name)
 * count x int32 labels
 * count x channels*height*width pixels (uint8, or float32 little endian), CHW per image
 * </pre>
 * All integers are little endian. The file is written to a temporary name and moved into
 * place, so a reader never sees half a file.
 */
final class ImageSetFormat {
    static final String FILE_NAME = "images.rclimg";
    static final int VERSION = 1;
    private static final byte[] MAGIC = "RCLIMGS\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_CLASSES = 1 << 20;

    private ImageSetFormat() {}

    static void write(ImageSet set, Path dir) throws IOException {
        int[] labels = set.labels();
        writeAtomically(dir, out -> {
            writeHeader(out, set.storage(), set.channels(), set.height(), set.width(), set.classes(), labels);
            ByteBuffer floats = ByteBuffer.allocate(set.pixelsPerImage() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < set.size(); i++) {
                Object image = set.rawImage(i);
                if (image instanceof byte[] b) {
                    out.write(b);
                } else {
                    floats.clear();
                    floats.asFloatBuffer().put((float[]) image);
                    out.write(floats.array());
                }
            }
        });
    }

    /** A uint8 set written image by image (see {@link ImageSet#saveStreaming}). */
    static void writeStreaming(Path dir, List<String> classes, int channels, int height, int width, int[] labels,
            ImageSet.ImageSupplier supplier) throws IOException {
        int pixels = channels * height * width;
        writeAtomically(dir, out -> {
            writeHeader(out, ImageSet.PixelStorage.UINT8, channels, height, width, classes, labels);
            for (int i = 0; i < labels.length; i++) {
                byte[] image = supplier.image(i);
                if (image.length != pixels) {
                    throw new IllegalArgumentException("image " + i + " has " + image.length + " bytes, expected " + pixels);
                }
                out.write(image);
            }
        });
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static void writeAtomically(Path dir, Body body) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(FILE_NAME);
        Path temp = Files.createTempFile(dir, ".images-", ".tmp");
        try {
            try (OutputStream raw = Files.newOutputStream(temp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                body.write(out);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeHeader(DataOutputStream out, ImageSet.PixelStorage storage, int channels, int height,
            int width, List<String> classes, int[] labels) throws IOException {
        out.write(MAGIC);
        writeInt(out, VERSION);
        writeInt(out, storage.ordinal());
        writeInt(out, labels.length);
        writeInt(out, channels);
        writeInt(out, height);
        writeInt(out, width);
        writeInt(out, classes.size());
        for (String name : classes) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            writeInt(out, utf8.length);
            out.write(utf8);
        }
        for (int label : labels) {
            writeInt(out, label);
        }
    }

    private static void writeInt(DataOutputStream out, int value) throws IOException {
        out.writeInt(Integer.reverseBytes(value));
    }

    private static Header readHeader(PositionedInput in, Path file) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic, "the magic number");
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new MalformedDataException(file, 0, "not an image set file (bad magic number)");
        }
        long versionAt = in.offset();
        int version = in.readInt("the format version");
        if (version != VERSION) {
            throw new MalformedDataException(file, versionAt,
                    "unsupported image set format version " + version + " (this build reads version " + VERSION + ")");
        }
        long storageAt = in.offset();
        int storageCode = in.readInt("the storage type");
        if (storageCode < 0 || storageCode >= ImageSet.PixelStorage.values().length) {
            throw new MalformedDataException(file, storageAt, "unknown storage type " + storageCode);
        }
        ImageSet.PixelStorage storage = ImageSet.PixelStorage.values()[storageCode];
        long shapeAt = in.offset();
        int count = in.readInt("the image count");
        int channels = in.readInt("the channel count");
        int height = in.readInt("the height");
        int width = in.readInt("the width");
        int classCount = in.readInt("the class count");
        if (count < 0 || channels <= 0 || height <= 0 || width <= 0 || classCount < 0 || classCount > MAX_CLASSES
                || (long) channels * height * width > Integer.MAX_VALUE / Float.BYTES) {
            throw new MalformedDataException(file, shapeAt, "implausible header: count=" + count + " shape="
                    + channels + "x" + height + "x" + width + " classes=" + classCount);
        }
        List<String> classes = new ArrayList<>(classCount);
        for (int k = 0; k < classCount; k++) {
            long at = in.offset();
            int length = in.readInt("the length of class name " + k);
            if (length < 0 || length > 4096) {
                throw new MalformedDataException(file, at, "implausible class name length " + length);
            }
            byte[] name = new byte[length];
            in.readFully(name, "class name " + k);
            classes.add(new String(name, StandardCharsets.UTF_8));
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            long at = in.offset();
            labels[i] = in.readInt("label " + i);
            if (labels[i] < -1 || labels[i] >= classCount) {
                throw new MalformedDataException(file, at, "label " + labels[i] + " outside [-1, " + classCount + ")");
            }
        }
        return new Header(storage, count, channels, height, width, classes, labels, in.offset());
    }

    /** The header and labels of a set file, and where its pixels start. */
    private record Header(ImageSet.PixelStorage storage, int count, int channels, int height, int width,
            List<String> classes, int[] labels, long pixelsAt) {}

    private static Path fileIn(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": no image set here (expected a directory written by ImageSet.save)");
        }
        return file;
    }

    /** A uint8 set memory-mapped row by row; float32 sets are read whole (see {@link ImageSet#open}). */
    static ImageSet open(Path dir) throws IOException {
        Path file = fileIn(dir);
        Header h;
        try (PositionedInput in = new PositionedInput(file)) {
            h = readHeader(in, file);
        }
        if (h.storage() != ImageSet.PixelStorage.UINT8) {
            return read(dir);
        }
        long pixels = (long) h.channels() * h.height() * h.width();
        long expected = h.pixelsAt() + pixels * h.count();
        long length = Files.size(file);
        if (length != expected) {
            throw new MalformedDataException(file, Math.min(length, expected), length < expected
                    ? "truncated: " + length + " bytes, the header announces " + expected
                    : "unexpected bytes after the last image");
        }
        return ImageSet.wrap(h.classes(), h.channels(), h.height(), h.width(), h.storage(),
                new MappedImageRows(file, h.pixelsAt(), h.count(), (int) pixels), h.labels());
    }

    static ImageSet read(Path dir) throws IOException {
        Path file = fileIn(dir);
        try (PositionedInput in = new PositionedInput(file)) {
            Header h = readHeader(in, file);
            ImageSet.PixelStorage storage = h.storage();
            int count = h.count();
            int channels = h.channels();
            int height = h.height();
            int width = h.width();
            List<String> classes = h.classes();
            int[] labels = h.labels();
            int pixels = channels * height * width;
            Object[] images = new Object[count];
            byte[] floatBytes = storage == ImageSet.PixelStorage.FLOAT32 ? new byte[pixels * Float.BYTES] : new byte[0];
            for (int i = 0; i < count; i++) {
                if (storage == ImageSet.PixelStorage.UINT8) {
                    byte[] image = new byte[pixels];
                    in.readFully(image, "image " + i);
                    images[i] = image;
                } else {
                    long at = in.offset();
                    in.readFully(floatBytes, "image " + i);
                    float[] image = new float[pixels];
                    ByteBuffer.wrap(floatBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(image);
                    for (int p = 0; p < pixels; p++) {
                        if (!(image[p] >= 0f && image[p] <= 1f)) {
                            throw new MalformedDataException(file, at + (long) p * Float.BYTES,
                                    "pixel value " + image[p] + " outside [0,1]");
                        }
                    }
                    images[i] = image;
                }
            }
            if (in.readOptionalByte() >= 0) {
                throw new MalformedDataException(file, in.offset() - 1, "unexpected bytes after the last image");
            }
            return ImageSet.wrap(classes, channels, height, width, storage, images, labels);
        }
    }
}
