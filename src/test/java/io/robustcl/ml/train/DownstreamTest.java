package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.UniformNoise;
import io.robustcl.ml.model.Network;
import io.robustcl.testing.CpuScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DownstreamTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  private static List<float[]> encoder(Network network) {
    List<float[]> out = new ArrayList<>();
    for (Pair<String, Parameter> p : network.encoderParameters()) {
      out.add(p.getValue().getArray().toFloatArray());
    }
    return out;
  }

  private static LinearEvaluation.Settings quick(long seed) {
    return LinearEvaluation.Settings.rocl(seed).withEpochs(15).withBatchSize(16).withSchedule(LearningRateSchedule.constant(0.1));
  }

  @Test
  void linearEvalOnAFixedEncoderBeatsChanceAndLeavesTheEncoderAlone() {
    Network network = TinyImages.network(cpu.manager(), 11);
    ImageSet train = TinyImages.generate(96, 1);
    ImageSet test = TinyImages.generate(60, 2);
    List<float[]> before = encoder(network);
    double untrained = new CleanAccuracy(network, test, CleanAccuracy.Settings.defaults()).run(cpu.manager()).value();
    new LinearEvaluation(network, train, quick(3)).run(cpu.manager(), TrainingListener.none(), CancellationCheck.never());
    Accuracy trained = new CleanAccuracy(network, test, CleanAccuracy.Settings.defaults()).run(cpu.manager());
    assertEquals(60, trained.total());
    assertTrue(trained.value() > 0.6, "3 classes, chance 0.33: linear eval reached " + trained + " (untrained head " + untrained + ")");
    List<float[]> after = encoder(network);
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i), "frozen encoder changed (BN statistics included)");
    }
    assertTrue(network.trainableParameters().size() > 2, "encoder must be unfrozen again after linear eval");
  }

  @Test
  void rushFineTuningTrainsTheHeadAndTheEncodersBatchNormBiasesOnly() {
    Network network = TinyImages.network(cpu.manager(), 11);
    ImageSet train = TinyImages.generate(48, 1);
    Map<String, float[]> before = new HashMap<>();
    for (Pair<String, Parameter> p : network.encoderParameters()) {
      before.put(p.getKey(), p.getValue().getArray().toFloatArray());
    }
    LinearEvaluation.Settings rush = LinearEvaluation.Settings.rush(new io.robustcl.ml.data.UniformNoise(), 3)
        .withEpochs(2).withBatchSize(16);
    new LinearEvaluation(network, train, rush).run(cpu.manager(), TrainingListener.none(), CancellationCheck.never());
    boolean betaMoved = false;
    for (Pair<String, Parameter> p : network.encoderParameters()) {
      boolean same = java.util.Arrays.equals(before.get(p.getKey()), p.getValue().getArray().toFloatArray());
      switch (p.getValue().getType()) {
        case BETA -> betaMoved |= !same;
        case RUNNING_MEAN, RUNNING_VAR -> assertFalse(same, "RUSH's BN statistics adapt: " + p.getKey());
        default -> assertTrue(same, "frozen: " + p.getKey());
      }
    }
    assertTrue(betaMoved, "the BN biases train");
    assertTrue(network.trainableParameters().size() > 2, "encoder unfrozen again afterwards");
  }

  @Test
  void robustLinearEvalTrainsOnlyTheHeadAndRobustAccuracyIsAtMostClean() {
    Network network = TinyImages.network(cpu.manager(), 11);
    ImageSet train = TinyImages.generate(48, 1);
    ImageSet test = TinyImages.generate(30, 2);
    List<float[]> before = encoder(network);
    float[] head = network.head().getParameters().get(0).getValue().getArray().toFloatArray();
    new LinearEvaluation(network, train, quick(3).withEpochs(4).withAdversarial(PgdAttack.linf(8.0 / 255, 2.0 / 255, 3)))
        .run(cpu.manager(), TrainingListener.none(), CancellationCheck.never());
    assertFalse(java.util.Arrays.equals(head, network.head().getParameters().get(0).getValue().getArray().toFloatArray()));
    List<float[]> after = encoder(network);
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i));
    }
    Accuracy clean = new CleanAccuracy(network, test, CleanAccuracy.Settings.defaults()).run(cpu.manager());
    Accuracy robust = new RobustAccuracyEvaluation(network, test,
        new RobustAccuracyEvaluation.Settings(PgdAttack.linf(16.0 / 255, 4.0 / 255, 5), 16)).run(cpu.manager(), new SplittableRandom(4));
    assertTrue(robust.value() <= clean.value(), "robust " + robust + " vs clean " + clean);
  }

  @Test
  void fineTuningAtUpdatesTheEncoder() {
    Network network = TinyImages.network(cpu.manager(), 11);
    ImageSet train = TinyImages.generate(32, 1);
    List<float[]> before = encoder(network);
    FineTuning.Settings s = FineTuning.Settings.defaults(FineTuning.Mode.AT, 2, 5);
    FineTuning.Settings quick = new FineTuning.Settings(s.mode(), 2, 16, LearningRateSchedule.constant(0.05), s.sgd(),
        PgdAttack.linf(8.0 / 255, 2.0 / 255, 2), s.tradesBeta(), null, null, s.selfSupervisedWeight(), 5, null);
    TrainingOutcome outcome = new FineTuning(network, train, quick).run(cpu.manager(), TrainingListener.none(), CancellationCheck.never());
    assertEquals(4, outcome.steps());
    assertTrue(Double.isFinite(outcome.lastEpochMeanLoss()));
    assertFalse(java.util.Arrays.equals(before.get(0), encoder(network).get(0)), "fine-tuning must train f");
  }

  @Test
  void transformationSmoothingWithIdentityEqualsThePlainClassifier() {
    Network network = TinyImages.network(cpu.manager(), 11);
    ImageSet test = TinyImages.generate(12, 2);
    ParameterStore ps = new ParameterStore(cpu.manager(), false);
    NDArray x = test.images(cpu.manager(), ImageSetIndices.all(test));
    TransformationSmoothedClassifier smoothed =
        new TransformationSmoothedClassifier(network, new TransformationSmoothedClassifier.Settings((img, r) -> img.duplicate(), 4, 8));
    assertArrayEquals(network.logits(ps, x, false).toFloatArray(), smoothed.logits(ps, x, new SplittableRandom(1)).toFloatArray(), 1e-5f);
  }

  @Test
  void smoothedInferenceCountsMVotesPerSample() {
    Network network = TinyImages.network(cpu.manager(), 11);
    ImageSet test = TinyImages.generate(12, 2);
    ParameterStore ps = new ParameterStore(cpu.manager(), false);
    NDArray x = test.images(cpu.manager(), ImageSetIndices.all(test));
    SmoothedInference smoothed = new SmoothedInference(network, new SmoothedInference.Settings(new UniformNoise(), 5, 8));
    float[] rowSums = smoothed.votes(ps, x, new SplittableRandom(1)).sum(new int[] {1}).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    for (float s : rowSums) {
      assertEquals(5f, s);
    }
    // with noise of amplitude 0 every vote is the plain prediction
    SmoothedInference noiseless = new SmoothedInference(network, new SmoothedInference.Settings(new UniformNoise(0f), 3, 8));
    assertArrayEquals(network.logits(ps, x, false).argMax(1).toLongArray(), noiseless.predict(ps, x, new SplittableRandom(1)).toLongArray());
  }

  /** Index helpers. */
  static final class ImageSetIndices {
    static int[] all(ImageSet set) {
      int[] out = new int[set.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = i;
      }
      return out;
    }
  }
}
