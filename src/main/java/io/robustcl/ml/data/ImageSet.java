package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.HostTransfer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * An immutable labelled image set: {@code size()} images of {@code channels x height x width}
 * pixels (CHW order per image), an int label per image and the class names.
 *
 * <p>Datasets are stored as uint8 ({@link PixelStorage#UINT8}, value v means v/255);
 * adversarial examples as float32 ({@link PixelStorage#FLOAT32}, values in [0,1]) so that
 * perturbations below 1/255 survive. Images are kept as one Java array per image, so sets
 * larger than 2 GB (STL-10 unlabeled) can be held, and {@link #subset} shares them.
 * Label {@code -1} marks an unlabeled image (STL-10 unlabeled split).
 */
public final class ImageSet {
    /** How pixels are stored. */
    public enum PixelStorage { UINT8, FLOAT32 }

    private final List<String> classes;
    private final int channels;
    private final int height;
    private final int width;
    private final PixelStorage storage;
    private final ImageRows images; // byte[] or float[] per image; never exposed
    private final int[] labels;

    private ImageSet(List<String> classes, int channels, int height, int width, PixelStorage storage,
            Object[] images, int[] labels) {
        this(classes, channels, height, width, storage, ImageRows.of(images), labels);
    }

    private ImageSet(List<String> classes, int channels, int height, int width, PixelStorage storage,
            ImageRows images, int[] labels) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (images.size() != labels.length) {
            throw new IllegalArgumentException(images.size() + " images but " + labels.length + " labels");
        }
        for (int label : labels) {
            if (label < -1 || label >= classes.size()) {
                throw new IllegalArgumentException("label " + label + " outside [-1, " + classes.size() + ")");
            }
        }
        this.classes = List.copyOf(classes);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.storage = storage;
        this.images = images;
        this.labels = labels;
    }

    /**
     * A uint8 set. The arrays are copied; each image has {@code channels*height*width} bytes in
     * CHW order.
     */
    public static ImageSet ofBytes(List<String> classes, int channels, int height, int width,
            List<byte[]> images, int[] labels) {
        int pixels = channels * height * width;
        Object[] copy = new Object[images.size()];
        for (int i = 0; i < copy.length; i++) {
            byte[] image = images.get(i);
            if (image.length != pixels) {
                throw new IllegalArgumentException("image " + i + " has " + image.length + " bytes, expected " + pixels);
            }
            copy[i] = image.clone();
        }
        return new ImageSet(classes, channels, height, width, PixelStorage.UINT8, copy, labels.clone());
    }

    /** A float32 set; values must lie in [0,1]. The arrays are copied. */
    public static ImageSet ofFloats(List<String> classes, int channels, int height, int width,
            List<float[]> images, int[] labels) {
        int pixels = channels * height * width;
        Object[] copy = new Object[images.size()];
        for (int i = 0; i < copy.length; i++) {
            float[] image = images.get(i);
            if (image.length != pixels) {
                throw new IllegalArgumentException("image " + i + " has " + image.length + " floats, expected " + pixels);
            }
            for (float v : image) {
                if (!(v >= 0f && v <= 1f)) {
                    throw new IllegalArgumentException("image " + i + " has pixel value " + v + " outside [0,1]");
                }
            }
            copy[i] = image.clone();
        }
        return new ImageSet(classes, channels, height, width, PixelStorage.FLOAT32, copy, labels.clone());
    }

    /**
     * A float32 set holding a copy of {@code images} (float NCHW in [0,1], e.g. adversarial
     * examples). This copies the array to the host once.
     */
    public static ImageSet fromNDArray(NDArray images, int[] labels, List<String> classes) {
        Shape shape = images.getShape();
        if (shape.dimension() != 4 || shape.get(0) != labels.length) {
            throw new IllegalArgumentException("expected NCHW images with N=" + labels.length + ", got " + shape);
        }
        int c = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        // one host copy for the whole batch
        float[] all = images.toType(DataType.FLOAT32, false).toFloatArray();
        int pixels = c * h * w;
        Object[] per = new Object[labels.length];
        for (int i = 0; i < per.length; i++) {
            float[] image = new float[pixels];
            System.arraycopy(all, i * pixels, image, 0, pixels);
            for (float v : image) {
                if (!(v >= 0f && v <= 1f)) {
                    throw new IllegalArgumentException("image " + i + " has pixel value " + v + " outside [0,1]");
                }
            }
            per[i] = image;
        }
        return new ImageSet(classes, c, h, w, PixelStorage.FLOAT32, per, labels.clone());
    }

    /** Package-private constructor for readers that built fresh arrays (no copy). */
    static ImageSet wrap(List<String> classes, int channels, int height, int width, PixelStorage storage,
            Object[] images, int[] labels) {
        return new ImageSet(classes, channels, height, width, storage, images, labels);
    }

    /** Package-private constructor for file-backed rows (see {@link ImageSetFormat#open}). */
    static ImageSet wrap(List<String> classes, int channels, int height, int width, PixelStorage storage,
            ImageRows images, int[] labels) {
        return new ImageSet(classes, channels, height, width, storage, images, labels);
    }

    public int size() { return labels.length; }
    public int channels() { return channels; }
    public int height() { return height; }
    public int width() { return width; }
    public PixelStorage storage() { return storage; }
    /** Class names; label {@code k} names {@code classes().get(k)}. */
    public List<String> classes() { return classes; }
    public int label(int index) { return labels[index]; }
    /** A copy of all labels. */
    public int[] labels() { return labels.clone(); }
    /** Values per image: channels * height * width. */
    public int pixelsPerImage() { return channels * height * width; }

    /** A copy of image {@code index} as floats in [0,1], CHW order (for tests and tools, not hot paths). */
    public float[] imageAsFloats(int index) {
        Object image = images.get(index);
        if (image instanceof float[] f) {
            return f.clone();
        }
        byte[] b = (byte[]) image;
        float[] out = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (b[i] & 0xff) / 255f;
        }
        return out;
    }

    /** Package access to the stored array of one image (byte[] or float[]), not to be modified. */
    Object rawImage(int index) { return images.get(index); }

    /**
     * The images at {@code indices} as float32 NCHW in [0,1] on {@code manager}'s device. The
     * raw storage (uint8 or float32) is copied to the device and converted there.
     */
    public NDArray images(NDManager manager, int[] indices) {
        int pixels = pixelsPerImage();
        Shape shape = new Shape(indices.length, channels, height, width);
        if (storage == PixelStorage.UINT8) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(indices.length * pixels);
            for (int index : indices) {
                buffer.put((byte[]) images.get(index));
            }
            buffer.flip();
            try (NDArray raw = HostTransfer.upload(manager, manager.getDevice(), buffer, shape, DataType.UINT8)) {
                return DeviceScalars.uncounted().div(raw.toType(DataType.FLOAT32, false), 255);
            }
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(indices.length * pixels * Float.BYTES).order(ByteOrder.nativeOrder());
        FloatBuffer buffer = bytes.asFloatBuffer();
        for (int index : indices) {
            buffer.put((float[]) images.get(index));
        }
        return HostTransfer.upload(manager, manager.getDevice(), bytes, shape, DataType.FLOAT32);
    }

    /** All images, as {@link #images(NDManager, int[])}. */
    public NDArray images(NDManager manager) {
        return images(manager, range(size()));
    }

    /** The labels at {@code indices} as an int64 vector on {@code manager}'s device. */
    public NDArray labels(NDManager manager, int[] indices) {
        long[] out = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = labels[Objects.checkIndex(indices[i], labels.length)];
        }
        return HostTransfer.upload(manager, out, new Shape(out.length));
    }

    /** The images at {@code indices}, in that order (sharing the stored arrays). */
    public ImageSet subset(int[] indices) {
        int[] subLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            subLabels[i] = labels[Objects.checkIndex(indices[i], labels.length)];
        }
        return new ImageSet(classes, channels, height, width, storage, ImageRows.select(images, indices), subLabels);
    }

    /** The first {@code count} images (or all if fewer). */
    public ImageSet head(int count) {
        return subset(range(Math.min(count, size())));
    }

    /** Writes this set to {@code dir} (created if needed) in the format of {@link ImageSetFormat}. */
    public void save(Path dir) throws IOException {
        ImageSetFormat.write(this, dir);
    }

    /** Reads a set written by {@link #save}; fails naming the file and byte offset on bad data. */
    public static ImageSet load(Path dir) throws IOException {
        return ImageSetFormat.read(dir);
    }

    /**
     * Opens a set written by {@link #save} or {@link #saveStreaming} without reading its pixels: a
     * uint8 set is memory-mapped and its images are read as batches ask for them, so a split larger
     * than the heap (STL-10's unlabeled images) trains through the {@link BatchLoader}. The header
     * and labels are read and checked as {@link #load} does; float32 sets are loaded whole.
     */
    public static ImageSet open(Path dir) throws IOException {
        return ImageSetFormat.open(dir);
    }

    /** Supplies image {@code index} of a set being written by {@link #saveStreaming}. */
    @FunctionalInterface
    public interface ImageSupplier {
        byte[] image(int index) throws IOException;
    }

    /**
     * Writes a uint8 set image by image, never holding more than one: image {@code i} is
     * {@code supplier.image(i)} (CHW, {@code channels*height*width} bytes). Same format as {@link #save}.
     */
    public static void saveStreaming(Path dir, List<String> classes, int channels, int height, int width, int[] labels,
            ImageSupplier supplier) throws IOException {
        ImageSetFormat.writeStreaming(dir, classes, channels, height, width, labels, supplier);
    }

    static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    @Override
    public String toString() {
        return "ImageSet[" + size() + " x " + channels + "x" + height + "x" + width + ", " + storage
                + ", " + classes.size() + " classes]";
    }
}
