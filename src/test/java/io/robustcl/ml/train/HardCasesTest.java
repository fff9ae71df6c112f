package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.attack.AttackObjective;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.loss.NtXentLoss;
import io.robustcl.ml.model.Network;
import io.robustcl.testing.CpuScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17's constructed hard cases for the operations that divide by a norm or a range, take a log or
 * a square root: grey images (hue undefined, max = min), saturated images (all 0 or all 1, every clip
 * active), duplicated images (positives equal to negatives), zero embeddings and zero gradients. Each must
 * give finite values and finite gradients; RoCL's step on a batch of them, with torchlars at the
 * warm-up peak learning rate, must train without a NaN.
 */
class HardCasesTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  private static boolean finite(NDArray a) {
    return a.isNaN().logicalOr(a.isInfinite()).none().getBoolean();
  }

  /** Every sixth image grey, white, black, grey-channelled, or a copy of an earlier one. */
  private static ImageSet hardImages(int n) {
    ImageSet base = TinyImages.generate(n, 5);
    List<float[]> images = new ArrayList<>();
    int[] labels = new int[n];
    int plane = TinyImages.SIZE * TinyImages.SIZE;
    for (int i = 0; i < n; i++) {
      float[] img = base.imageAsFloats(i);
      switch (i % 6) {
        case 1 -> java.util.Arrays.fill(img, 0.5f);
        case 2 -> java.util.Arrays.fill(img, 1f);
        case 3 -> java.util.Arrays.fill(img, 0f);
        case 4 -> {
          System.arraycopy(img, 0, img, plane, plane);
          System.arraycopy(img, 0, img, 2 * plane, plane);
        }
        case 5 -> img = images.get(i - 5).clone();
        default -> { }
      }
      images.add(img);
      labels[i] = base.label(i);
    }
    return ImageSet.ofFloats(TinyImages.CLASSES, 3, TinyImages.SIZE, TinyImages.SIZE, images, labels);
  }

  @Test
  void roclTrainsOnGreySaturatedAndDuplicatedImagesAtThePeakLearningRate() {
    Network network = TinyImages.network(cpu.manager(), 3);
    ModelParameters parameters = ModelParameters.of(network.parameters());
    SgdOptimizer lars = new SgdOptimizer(parameters, SgdSettings.larsEveryParameter(0.9, 1e-6), cpu.manager());
    RoclTraining rocl = new RoclTraining(network, SimClrAugmentation.builder().optSize(TinyImages.SIZE).build(),
        new RoclTraining.Settings(PgdAttack.linf(0.0314, 0.007, 3), InstanceWiseAttack.Loss.CONTRASTIVE,
            InstanceWiseAttack.View.T, InstanceWiseAttack.View.T_PRIME, 0.5, 256));
    List<Double> losses = new ArrayList<>();
    // 3.0 = 0.2 x 15, the warm-up peak of the old preset
    new TrainingLoop(parameters, lars, LearningRateSchedule.constant(3.0), rocl,
        BatchSource.of(new BatchLoader(hardImages(48), 16, true, true, 1)), r -> losses.add(r.loss()),
        CancellationCheck.never()).run(cpu.manager(), new TrainingPlan("rocl", 10, 7, null));
    assertTrue(losses.size() == 30 && losses.stream().allMatch(Double::isFinite), losses.toString());
  }

  @Test
  void ntXentOfZeroAndDuplicatedEmbeddingsHasFiniteValueAndGradient() {
    float[] values = new float[6 * 4];
    for (int i = 8; i < 16; i++) {
      values[i] = 1f; // rows 2 and 3 equal, rows 0, 1 exactly zero
    }
    NDArray z = cpu.manager().create(values, new Shape(6, 4));
    z.setRequiresGradient(true);
    NDArray loss;
    try (io.robustcl.ml.device.GradientTape tape = io.robustcl.ml.device.GradientTape.record()) {
      loss = new NtXentLoss(0.5).loss(z, 3);
      tape.backward(loss);
    }
    assertTrue(finite(loss) && finite(z.getGradient()), "NT-Xent of zero rows");
  }

  @Test
  void l2AndL1StepsWithAZeroGradientStayFiniteAndInTheBall() {
    NDArray x = cpu.manager().randomUniform(0f, 1f, new Shape(4, 3, 4, 4));
    // an objective that does not depend on the input: its gradient is exactly 0
    AttackObjective flat = input -> input.mul(0f).sum(new int[] {1, 2, 3});
    for (PgdAttack attack : List.of(PgdAttack.l2(0.5, 0.1, 3), PgdAttack.l1(12, 1, 3),
        PgdAttack.l2(0.5, 0.1, 3).withRandomStart(false), PgdAttack.l1(12, 1, 3).withRandomStart(false))) {
      NDArray adv = attack.perturb(x, flat, List.of(), new SplittableRandom(1));
      assertTrue(finite(adv), attack.toString());
      assertTrue(adv.min().getFloat() >= 0f && adv.max().getFloat() <= 1f, attack.toString());
    }
  }
}
