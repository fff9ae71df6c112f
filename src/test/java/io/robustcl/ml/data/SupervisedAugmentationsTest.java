package io.robustcl.ml.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.GradientTape;
import io.robustcl.testing.CpuScope;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pad-and-crop + flip (Madry/TRADES) and SimCLR's random Gaussian blur (UPAT's T). */
class SupervisedAugmentationsTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  private NDArray ramp(int n, int size) {
    float[] v = new float[n * 3 * size * size];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % (size * size)) / (float) (size * size);
    }
    return cpu.manager().create(v, new Shape(n, 3, size, size));
  }

  @Test
  void padCropFlipShiftsEachImageByAtMostThePaddingAndFillsWithZeros() {
    NDArray x = ramp(16, 8).add(0.01f);
    NDArray out = new PadCropFlip(2).apply(x, new SplittableRandom(3));
    assertEquals(x.getShape(), out.getShape());
    float[] o = out.toFloatArray();
    float[] in = x.toFloatArray();
    int zeros = 0;
    for (float v : o) {
      zeros += v == 0f ? 1 : 0;
    }
    assertTrue(zeros > 0, "some crops reach into the zero padding");
    // every non-zero output pixel is a pixel of its own image (the inputs are all > 0)
    for (int s = 0; s < 16; s++) {
      java.util.Set<Float> own = new java.util.HashSet<>();
      for (int k = 0; k < 3 * 64; k++) {
        own.add(in[s * 192 + k]);
      }
      for (int k = 0; k < 3 * 64; k++) {
        float v = o[s * 192 + k];
        assertTrue(v == 0f || own.contains(v), "pixel " + v + " of image " + s + " comes from elsewhere");
      }
    }
  }

  @Test
  void padCropFlipWithoutPaddingOnlyFlips() {
    NDArray x = ramp(8, 6);
    NDArray out = new PadCropFlip(0).apply(x, new SplittableRandom(5));
    for (int s = 0; s < 8; s++) {
      NDArray img = x.get(s);
      NDArray got = out.get(s);
      boolean same = got.sub(img).abs().max().getFloat() == 0f;
      boolean mirrored = got.sub(img.flip(2)).abs().max().getFloat() == 0f;
      assertTrue(same || mirrored, "image " + s + " is neither unchanged nor mirrored");
    }
  }

  @Test
  void blurKeepsTheMeanOfAConstantImageAndSmoothsAnEdge() {
    assertEquals(3, RandomGaussianBlur.kernelSize(32));
    float[] w = RandomGaussianBlur.weights(3, 1.0);
    assertEquals(1.0, w[0] + w[1] + w[2], 1e-6);
    assertEquals(w[0], w[2], 1e-7);
    NDArray flat = cpu.manager().full(new Shape(4, 3, 8, 8), 0.5f);
    NDArray blurredFlat = new RandomGaussianBlur(1).apply(flat, new SplittableRandom(2));
    assertEquals(0f, blurredFlat.sub(0.5f).abs().max().getFloat(), 1e-6f);
    NDArray edge = ramp(4, 8).gt(0.5f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    NDArray blurred = new RandomGaussianBlur(1).apply(edge, new SplittableRandom(2));
    assertTrue(blurred.sub(edge).abs().max().getFloat() > 0.01f, "an edge is smoothed");
    assertEquals(0f, new RandomGaussianBlur(0).apply(edge, new SplittableRandom(2)).sub(edge).abs().max().getFloat());
  }

  @Test
  void bothAreDifferentiableInTheirInput() {
    NDArray x = ramp(2, 8);
    x.setRequiresGradient(true);
    try (GradientTape tape = GradientTape.record()) {
      NDArray y = new RandomGaussianBlur(1).apply(new PadCropFlip(1).apply(x, new SplittableRandom(1)),
          new SplittableRandom(2));
      tape.backward(y.sum());
    }
    assertTrue(x.getGradient().abs().sum().getFloat() > 0, "the gradient reaches the input");
  }
}
