package io.robustcl.stages;

import io.robustcl.ml.data.ImageSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A procedural 10-class RGB image set, generated from a seed, so the pipeline runs with no data
 * at all: each class is a shape or texture (disc, square, triangle, ring, cross, horizontal,
 * vertical and diagonal stripes, checkerboard, two discs) with a random position, size,
 * foreground and background colour (at least 0.3 apart in luminance) and mild pixel noise.
 *
 * <p>Stand-in until {@code io.robustcl.ml.data} offers its {@code SyntheticImages}; generation
 * runs once per dataset stage, not on a hot path, so it is plain Java.
 */
final class SyntheticShapes {

  static final List<String> CLASSES = List.of(
      "disc", "square", "triangle", "ring", "cross", "h-stripes", "v-stripes", "d-stripes", "checker", "two-discs");

  private SyntheticShapes() {}

  /** {@code count} images of {@code size x size}, labels cycling through the classes, from {@code seed}. */
  static ImageSet generate(int count, int size, int classes, long seed) {
    if (classes < 2 || classes > CLASSES.size()) {
      throw new IllegalArgumentException("synthetic data has 2 to " + CLASSES.size() + " classes, got " + classes);
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> images = new ArrayList<>(count);
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % classes;
      images.add(draw(labels[i], size, random));
    }
    return ImageSet.ofBytes(CLASSES.subList(0, classes), 3, size, size, images, labels);
  }

  private static byte[] draw(int label, int size, SplittableRandom random) {
    float[] background = colour(random);
    float[] foreground = colour(random);
    while (Math.abs(luminance(foreground) - luminance(background)) < 0.3f) {
      foreground = colour(random);
    }
    double cx = size * (0.3 + 0.4 * random.nextDouble());
    double cy = size * (0.3 + 0.4 * random.nextDouble());
    double r = size * (0.2 + 0.15 * random.nextDouble());
    double period = Math.max(2.0, r / 2);
    byte[] out = new byte[3 * size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double dx = x + 0.5 - cx;
        double dy = y + 0.5 - cy;
        boolean inBox = Math.abs(dx) <= r && Math.abs(dy) <= r;
        boolean on = switch (label) {
          case 0 -> dx * dx + dy * dy <= r * r;
          case 1 -> Math.abs(dx) <= 0.8 * r && Math.abs(dy) <= 0.8 * r;
          case 2 -> dy <= r && dy >= -r && Math.abs(dx) <= (dy + r) / 2;
          case 3 -> {
            double d = Math.sqrt(dx * dx + dy * dy);
            yield d <= r && d >= 0.55 * r;
          }
          case 4 -> inBox && (Math.abs(dx) <= 0.3 * r || Math.abs(dy) <= 0.3 * r);
          case 5 -> inBox && Math.floorMod((long) Math.floor(dy / period), 2L) == 0;
          case 6 -> inBox && Math.floorMod((long) Math.floor(dx / period), 2L) == 0;
          case 7 -> inBox && Math.floorMod((long) Math.floor((dx + dy) / period), 2L) == 0;
          case 8 -> inBox && Math.floorMod((long) Math.floor(dx / period) + (long) Math.floor(dy / period), 2L) == 0;
          default -> {
            double ox = dx - 0.5 * r;
            double ox2 = dx + 0.5 * r;
            double rr = 0.45 * r;
            yield ox * ox + dy * dy <= rr * rr || ox2 * ox2 + dy * dy <= rr * rr;
          }
        };
        float[] c = on ? foreground : background;
        for (int ch = 0; ch < 3; ch++) {
          double v = c[ch] + 0.03 * random.nextGaussian();
          out[ch * size * size + y * size + x] = (byte) Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
    }
    return out;
  }

  private static float[] colour(SplittableRandom random) {
    return new float[] {(float) random.nextDouble(), (float) random.nextDouble(), (float) random.nextDouble()};
  }

  private static float luminance(float[] c) {
    return 0.2989f * c[0] + 0.587f * c[1] + 0.114f * c[2];
  }
}
