package io.robustcl.ml.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.robustcl.ml.device.GradientTape;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.device.ComputeScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 200 training steps of a tiny network must not grow native memory: the count of arrays under the
 * scope's manager stays flat after warm-up, and process RSS growth stays bounded.
 *
 * <p>The pattern: each step runs in {@code root.newSubManager()}; the batch, every forward temporary
 * (DJL attaches op results to the input's manager), and each {@code getGradient()} handle (attached to
 * the parameter's manager, so moved into the step manager with {@code attach}) die when it closes.
 */
class NativeMemoryTest {

  @Test
  void trainingLoopDoesNotLeakNativeArrays() throws IOException {
    try (ComputeScope scope = ComputeScope.open("cpu", 5)) {
      NDManager root = scope.manager();
      NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(2).withBlocks(List.of(1)), List.of(4), 3);
      Network net = Network.create(spec, root, new SplittableRandom(5));
      ParameterStore ps = new ParameterStore(root, false);
      List<Parameter> params = net.trainableParameters();
      float[] firstWeight = params.get(0).getArray().toFloatArray();
      int warmCount = -1;
      long warmRss = -1;
      for (int step = 0; step < 200; step++) {
        try (NDManager sub = root.newSubManager()) {
          NDArray x = sub.randomUniform(0, 1, new Shape(2, 3, 4, 4));
          try (GradientTape gc = GradientTape.record()) {
            NDArray loss = net.projection(ps, x, true).square().mean().add(net.logits(ps, x, true).square().mean());
            gc.backward(loss);
          }
          for (Parameter p : params) {
            NDArray w = p.getArray();
            NDArray g = w.getGradient();
            g.attach(sub);
            w.subi(g.mul(0.01f));
            g.subi(g); // zero this parameter's gradient in place, as an optimiser step would
          }
        }
        if (step == 20) {
          warmCount = managedArrays(root);
          warmRss = rssKb();
        }
      }
      assertEquals(warmCount, managedArrays(root), "arrays under the scope's manager must stay flat");
      long growthKb = rssKb() - warmRss;
      assertTrue(warmRss < 0 || growthKb < 64 * 1024, "RSS grew by " + growthKb + " kB over 180 steps");
      assertTrue(params.get(0).getArray().toFloatArray()[0] != firstWeight[0], "the update must have run");
    }
  }

  private static int managedArrays(NDManager manager) {
    return ((BaseNDManager) manager).getManagedArrays().size();
  }

  /** Resident set size from /proc, or -1 where there is no /proc. */
  private static long rssKb() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
