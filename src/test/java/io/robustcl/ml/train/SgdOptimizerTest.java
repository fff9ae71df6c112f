package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.GradientTape;
import io.robustcl.testing.CpuScope;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SgdOptimizerTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  /** Accumulates d(sum(w * c))/dw = c into w's gradient. */
  private static void gradient(NDArray w, NDArray c) {
    try (GradientTape gc = GradientTape.record()) {
      gc.backward(w.mul(c).sum());
    }
  }

  @Test
  void sgdWithMomentumAndWeightDecayMatchesHandComputedSteps() {
    NDArray w = cpu.manager().create(new float[] {1f, -2f}, new ai.djl.ndarray.types.Shape(1, 2));
    w.setRequiresGradient(true);
    NDArray c = cpu.manager().create(new float[] {0.5f, -1f}, new ai.djl.ndarray.types.Shape(1, 2));
    SgdOptimizer sgd =
        new SgdOptimizer(new ModelParameters(List.of(ModelParameter.trainable("w", w))), SgdSettings.sgd(0.9, 0.01), cpu.manager());
    gradient(w, c);
    sgd.step(0.1);
    // d = g + 0.01 w = [0.51, -1.02]; buf = d; w = [1, -2] - 0.1 d
    assertArrayEquals(new float[] {0.949f, -1.898f}, w.toFloatArray(), 1e-6f);
    gradient(w, c);
    sgd.step(0.1);
    // d = [0.50949, -1.01898]; buf = 0.9 [0.51, -1.02] + d = [0.96849, -1.93698]; w -= 0.1 buf
    assertArrayEquals(new float[] {0.852151f, -1.704302f}, w.toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {0.96849f, -1.93698f}, sgd.state().get(0).array().toFloatArray(), 1e-6f);
  }

  @Test
  void stepZeroesGradientsAndSkipsParametersWithoutGradient() {
    NDArray w = cpu.manager().create(new float[] {1f, 2f}, new ai.djl.ndarray.types.Shape(1, 2));
    NDArray unused = cpu.manager().create(new float[] {3f, 4f}, new ai.djl.ndarray.types.Shape(1, 2));
    w.setRequiresGradient(true);
    unused.setRequiresGradient(true);
    SgdOptimizer sgd =
        new SgdOptimizer(
            new ModelParameters(List.of(ModelParameter.trainable("w", w), ModelParameter.trainable("u", unused))),
            SgdSettings.sgd(0.9, 0.5),
            cpu.manager());
    gradient(w, cpu.manager().create(new float[] {1f, 1f}, new ai.djl.ndarray.types.Shape(1, 2)));
    sgd.step(0.1);
    try (NDArray g = w.getGradient()) {
      assertArrayEquals(new float[] {0f, 0f}, g.toFloatArray());
    }
    // no gradient was ever computed for `unused`: weight decay must not touch it (PyTorch skips it)
    assertArrayEquals(new float[] {3f, 4f}, unused.toFloatArray());
  }

  @Test
  void larsScalesLayerWeightsByTrustRatioAndExemptsBiases() {
    NDArray w = cpu.manager().create(new float[] {3f, 4f}, new ai.djl.ndarray.types.Shape(1, 2));
    NDArray b = cpu.manager().create(new float[] {1f});
    stepWeightAndBias(w, b, SgdSettings.lars(0.9, 0.1), 1.0);
    // d = g + 0.1 w = [0.9, 1.2], ||d|| = 1.5, ||w|| = 5, r = 0.001 * 5 / 1.5; buf = r d = [0.003, 0.004]
    assertArrayEquals(new float[] {2.997f, 3.996f}, w.toFloatArray(), 1e-6f);
    // bias: no weight decay, no trust ratio: buf = lr g = 2
    assertEquals(-1f, b.toFloatArray()[0], 1e-6f);
  }

  @Test
  void larsTrustRatioIsOneForZeroWeights() {
    NDArray w = cpu.manager().zeros(new ai.djl.ndarray.types.Shape(2, 2));
    w.setRequiresGradient(true);
    SgdOptimizer lars =
        new SgdOptimizer(new ModelParameters(List.of(ModelParameter.trainable("w", w))), SgdSettings.lars(0.9, 0), cpu.manager());
    gradient(w, cpu.manager().ones(new ai.djl.ndarray.types.Shape(2, 2)));
    lars.step(0.5);
    assertArrayEquals(new float[] {-0.5f, -0.5f, -0.5f, -0.5f}, w.toFloatArray(), 1e-6f);
  }

  @Test
  void torchlarsAdaptsEveryParameterBiasesIncluded() {
    NDArray w = cpu.manager().create(new float[] {3f, 4f}, new ai.djl.ndarray.types.Shape(1, 2));
    NDArray b = cpu.manager().create(new float[] {1f});
    stepWeightAndBias(w, b, SgdSettings.larsEveryParameter(0.9, 0.1), 2.0);
    // w: r = 0.001 * 5 / (1 + 0.1 * 5) = 1/300; d = r (g + 0.1 w) = [0.003, 0.004]; w -= 2 d
    assertArrayEquals(new float[] {2.994f, 3.992f}, w.toFloatArray(), 1e-6f);
    // b: r = 0.001 * 1 / (2 + 0.1) ; d = r (2 + 0.1 * 1) = 0.001; b -= 2 * 0.001
    assertEquals(0.998f, b.toFloatArray()[0], 1e-6f);
  }

  /** One step of a weight w (gradient [0.6, 0.8]) and a bias b (gradient 2) under {@code settings}. */
  private void stepWeightAndBias(NDArray w, NDArray b, SgdSettings settings, double lr) {
    w.setRequiresGradient(true);
    b.setRequiresGradient(true);
    SgdOptimizer optimizer = new SgdOptimizer(
        new ModelParameters(List.of(ModelParameter.trainable("w", w), ModelParameter.trainable("b", b))),
        settings, cpu.manager());
    gradient(w, cpu.manager().create(new float[] {0.6f, 0.8f}, new ai.djl.ndarray.types.Shape(1, 2)));
    gradient(b, cpu.manager().create(new float[] {2f}));
    optimizer.step(lr);
  }

  /**
   * torchlars' trust ratio has eps = 1e-8 in its divisor: with no weight decay and a vanishing gradient
   * the ratio eta ||w|| / ||g|| is unbounded (1e-30 gives 1e27 and a step of 1e-3 ||w|| lr whatever the
   * gradient), which is what turned a tiny gradient into a huge update before eps was added.
   */
  @Test
  void torchlarsTrustRatioIsBoundedByEpsForAVanishingGradient() {
    NDArray w = cpu.manager().create(new float[] {3f, 4f}, new ai.djl.ndarray.types.Shape(1, 2));
    w.setRequiresGradient(true);
    SgdOptimizer lars = new SgdOptimizer(new ModelParameters(List.of(ModelParameter.trainable("w", w))),
        SgdSettings.larsEveryParameter(0, 0), cpu.manager());
    gradient(w, cpu.manager().create(new float[] {1e-30f, 0f}, new ai.djl.ndarray.types.Shape(1, 2)));
    lars.step(1.0);
    // r = 0.001 * 5 / (1e-30 + 0 + 1e-8) = 5e5; d = r g = [5e-25, 0]: w moves by 5e-25, not by 5e-3
    assertArrayEquals(new float[] {3f, 4f}, w.toFloatArray(), 1e-20f);
  }
}
