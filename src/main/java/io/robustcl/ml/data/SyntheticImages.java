package io.robustcl.ml.data;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A procedurally generated 10-class RGB image set that lets the whole pipeline run with no
 * data at all. Classes are five shapes (circle, square, triangle, cross, ring: a filled
 * figure at a random position and scale) and five textures covering the image (horizontal
 * stripes, vertical stripes, checkerboard, dot grid, linear colour gradient at a random
 * angle), each drawn in a random foreground colour on a random background colour that differs
 * from it clearly, plus Gaussian background noise of random strength (sigma up to 0.08).
 * Texture periods and shape sizes scale with the image size.
 *
 * <p>Image {@code i} has label {@code i % 10} and is drawn from its own random stream derived
 * from ({@code seed}, {@code i}): the same seed gives the same images at any count, and
 * images can be generated in parallel.
 */
public final class SyntheticImages {
    /** The classes, in label order. */
    public static final List<String> CLASSES = List.of("circle", "square", "triangle", "cross", "ring",
            "stripes-horizontal", "stripes-vertical", "checkerboard", "dots", "gradient");

    private SyntheticImages() {}

    /** {@code count} square images of {@code size x size}. */
    public static ImageSet generate(int count, int size, long seed) {
        return generate(count, size, size, seed);
    }

    /** {@code count} images of {@code height x width}, labels cycling through the 10 classes. */
    public static ImageSet generate(int count, int height, int width, long seed) {
        if (count < 0 || height < 4 || width < 4) {
            throw new IllegalArgumentException("synthetic images need count >= 0 and sides >= 4, got count=" + count
                    + " size=" + height + "x" + width);
        }
        Object[] images = new Object[count];
        int[] labels = new int[count];
        IntStream.range(0, count).parallel().forEach(i -> {
            labels[i] = i % CLASSES.size();
            images[i] = draw(labels[i], height, width, new SplittableRandom(mix(seed, i)));
        });
        return ImageSet.wrap(CLASSES, 3, height, width, ImageSet.PixelStorage.UINT8, images, labels);
    }

    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static byte[] draw(int label, int height, int width, SplittableRandom random) {
        float[] bg = colour(random);
        float[] fg = colour(random);
        while (distance(fg, bg) < 0.45) {
            fg = colour(random);
        }
        double noise = random.nextDouble() * 0.08;
        int side = Math.min(height, width);
        double radius = side * (0.22 + random.nextDouble() * 0.2);
        double cx = radius + random.nextDouble() * (width - 2 * radius);
        double cy = radius + random.nextDouble() * (height - 2 * radius);
        double period = Math.max(3, side * (0.12 + random.nextDouble() * 0.1));
        double phase = random.nextDouble() * period;
        double angle = random.nextDouble() * 2 * Math.PI;
        double ux = Math.cos(angle);
        double uy = Math.sin(angle);
        double span = Math.abs(ux) * width + Math.abs(uy) * height;
        double origin = Math.min(0, ux * width) + Math.min(0, uy * height);
        int plane = height * width;
        byte[] image = new byte[3 * plane];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double t = coverage(label, x + 0.5, y + 0.5, cx, cy, radius, period, phase, ux, uy, span, origin);
                double n = noise * random.nextGaussian();
                for (int c = 0; c < 3; c++) {
                    double v = bg[c] + t * (fg[c] - bg[c]) + n;
                    image[c * plane + y * width + x] = (byte) Math.round(Math.min(1, Math.max(0, v)) * 255);
                }
            }
        }
        return image;
    }

    /** How much of the foreground colour pixel (x, y) takes: 0 or 1, or a ramp for the gradient. */
    private static double coverage(int label, double x, double y, double cx, double cy, double r, double period,
            double phase, double ux, double uy, double span, double origin) {
        double dx = x - cx;
        double dy = y - cy;
        double d = Math.sqrt(dx * dx + dy * dy);
        boolean in = switch (label) {
            case 0 -> d < r;
            case 1 -> Math.abs(dx) < 0.8 * r && Math.abs(dy) < 0.8 * r;
            case 2 -> dy > -r && dy < r && Math.abs(dx) < (dy + r) * 0.5;
            case 3 -> (Math.abs(dx) < r / 3 && Math.abs(dy) < r) || (Math.abs(dy) < r / 3 && Math.abs(dx) < r);
            case 4 -> d < r && d > 0.55 * r;
            case 5 -> Math.floorMod((long) Math.floor((y + phase) / (period / 2)), 2) == 0;
            case 6 -> Math.floorMod((long) Math.floor((x + phase) / (period / 2)), 2) == 0;
            case 7 -> Math.floorMod((long) Math.floor((x + phase) / (period / 2)) + (long) Math.floor((y + phase)
                    / (period / 2)), 2) == 0;
            case 8 -> {
                double gx = Math.floorMod((long) Math.floor((x + phase) * 1000), (long) (period * 1000)) / 1000.0 - period / 2;
                double gy = Math.floorMod((long) Math.floor((y + phase) * 1000), (long) (period * 1000)) / 1000.0 - period / 2;
                yield gx * gx + gy * gy < period * period * 0.09;
            }
            case 9 -> false;
            default -> throw new IllegalStateException("label " + label);
        };
        if (label == 9) {
            return ((ux * x + uy * y) - origin) / span;
        }
        return in ? 1 : 0;
    }

    private static float[] colour(SplittableRandom random) {
        return new float[] {(float) random.nextDouble(), (float) random.nextDouble(), (float) random.nextDouble()};
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int c = 0; c < 3; c++) {
            s += (a[c] - b[c]) * (a[c] - b[c]);
        }
        return Math.sqrt(s);
    }
}
