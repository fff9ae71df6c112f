package io.robustcl.ml.train;

import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.NetworkSpec;
import io.robustcl.ml.model.ResNetSpec;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test fixture: 3 classes of 8x8 RGB images, each class a dominant colour channel in one half of the
 * image, plus uniform noise; and a tiny ResNet (width 4, one block) with a small projector.
 */
final class TinyImages {
  static final int SIZE = 8;
  static final List<String> CLASSES = List.of("red-top", "green-left", "blue-bottom");

  private TinyImages() {}

  static ImageSet generate(int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<float[]> images = new ArrayList<>();
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      int label = i % 3;
      labels[i] = label;
      float[] img = new float[3 * SIZE * SIZE];
      for (int c = 0; c < 3; c++) {
        for (int h = 0; h < SIZE; h++) {
          for (int w = 0; w < SIZE; w++) {
            boolean region = switch (label) {
              case 0 -> h < SIZE / 2;
              case 1 -> w < SIZE / 2;
              default -> h >= SIZE / 2;
            };
            double v = 0.3 * r.nextDouble() + (c == label && region ? 0.6 : 0.1);
            img[(c * SIZE + h) * SIZE + w] = (float) Math.min(1.0, v);
          }
        }
      }
      images.add(img);
    }
    return ImageSet.ofFloats(CLASSES, 3, SIZE, SIZE, images, labels);
  }

  static Network network(NDManager manager, long seed) {
    NetworkSpec spec = new NetworkSpec(new ResNetSpec(18, 4, List.of(1, 1), false, null), List.of(16, 8), 3);
    return Network.create(spec, manager, new SplittableRandom(seed));
  }

  /** The same network with dual batch norm (a clean and an adversarial set). */
  static Network dualBnNetwork(NDManager manager, long seed) {
    NetworkSpec spec = new NetworkSpec(new ResNetSpec(18, 4, List.of(1, 1), true, null), List.of(16, 8), 3);
    return Network.create(spec, manager, new SplittableRandom(seed));
  }
}
