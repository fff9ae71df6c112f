package io.robustcl.ml.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.device.EngineDraws;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkTest {

  private ComputeScope scope;
  private NDManager manager;
  private ParameterStore ps;

  @BeforeEach
  void open() {
    scope = ComputeScope.open("cpu", 11);
    manager = scope.manager();
    ps = new ParameterStore(manager, false);
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private NDArray images(int n, int size) {
    return manager.randomUniform(0, 1, new Shape(n, 3, size, size));
  }

  @Test
  void fullWidthEncodersOutputThePapersFeatureDims() {
    Network r18 = Network.create(new NetworkSpec(ResNetSpec.resnet18(64), List.of(), 0), manager, new SplittableRandom(1));
    assertEquals(new Shape(2, 512), r18.features(ps, images(2, 8), false).getShape());
    Network r50 = Network.create(new NetworkSpec(ResNetSpec.resnet50(64), List.of(), 0), manager, new SplittableRandom(1));
    assertEquals(new Shape(1, 2048), r50.features(ps, images(1, 8), false).getShape());
  }

  @Test
  void smallVariantsAndHeadsHaveTheirShapes() {
    NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(4), List.of(32, 16), 10);
    Network net = Network.create(spec, manager, new SplittableRandom(1));
    NDArray x = images(3, 16);
    assertEquals(new Shape(3, 32), net.features(ps, x, true).getShape());
    assertEquals(new Shape(3, 16), net.projection(ps, x, true).getShape());
    assertEquals(new Shape(3, 10), net.logits(ps, x, false).getShape());

    ResNetSpec small = ResNetSpec.resnet18(4).withBlocks(List.of(1, 1));
    assertEquals(8, small.featureDim());
    Network tiny = Network.create(new NetworkSpec(small, NetworkSpec.DEFAULT_PROJECTOR, 0), manager, new SplittableRandom(1));
    assertEquals(new Shape(2, 8), tiny.features(ps, images(2, 8), true).getShape());
    assertEquals(new Shape(2, 128), tiny.projection(ps, images(2, 8), true).getShape());
    assertThrows(IllegalStateException.class, () -> tiny.logits(ps, images(2, 8), false));

    ResNetSpec small50 = ResNetSpec.resnet50(2).withBlocks(List.of(1, 1, 1));
    assertEquals(2 * 4 * 4, small50.featureDim());
    Network b = Network.create(new NetworkSpec(small50, List.of(), 0), manager, new SplittableRandom(1));
    assertEquals(new Shape(2, 32), b.features(ps, images(2, 8), true).getShape());
  }

  /** Learnable scalars of a CIFAR-stem ResNet without FC, counted from the architecture by hand. */
  private static long analyticCount(ResNetSpec spec) {
    long w = spec.width();
    long n = 3 * 9 * w + 2 * w; // stem conv + BN
    long in = w;
    List<Integer> stages = spec.stages();
    for (int s = 0; s < stages.size(); s++) {
      long planes = w << s;
      for (int b = 0; b < stages.get(s); b++) {
        boolean down = s > 0 && b == 0;
        long out;
        if (spec.bottleneck()) {
          out = 4 * planes;
          n += in * planes + 2 * planes + planes * planes * 9 + 2 * planes + planes * out + 2 * out;
        } else {
          out = planes;
          n += in * planes * 9 + 2 * planes + planes * planes * 9 + 2 * planes;
        }
        if (down || in != out) {
          n += in * out + 2 * out;
        }
        in = out;
      }
    }
    return n;
  }

  @Test
  void parameterCountsMatchTheArchitecture() {
    NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(64), NetworkSpec.DEFAULT_PROJECTOR, 10);
    Network net = Network.create(spec, manager, new SplittableRandom(2));
    long encoder = 0;
    for (Pair<String, Parameter> p : net.encoderParameters()) {
      if (p.getValue().requiresGradient()) {
        encoder += p.getValue().getArray().getShape().size();
      }
    }
    assertEquals(analyticCount(spec.encoder()), encoder);
    // the published totals of the papers' CIFAR ResNets with a 10-class FC: 11,173,962 and 23,520,842
    assertEquals(11_173_962L, encoder + 512 * 10 + 10);
    assertEquals(23_520_842L, analyticCount(ResNetSpec.resnet50(64)) + 2048 * 10 + 10);
    long projector = 512L * 2048 + 2048 + 2048L * 128 + 128;
    long head = 512L * 10 + 10;
    assertEquals(encoder + projector + head, net.learnableScalarCount());

    ResNetSpec r50 = ResNetSpec.resnet50(8);
    Network b = Network.create(new NetworkSpec(r50, List.of(), 0), manager, new SplittableRandom(2));
    assertEquals(analyticCount(r50), b.learnableScalarCount());
    // running statistics are stored but not learnable: 2 per BN channel beside gamma and beta
    long running = 0;
    for (Pair<String, Parameter> p : b.parameters()) {
      if (!p.getValue().requiresGradient()) {
        running += p.getValue().getArray().getShape().size();
        assertTrue(p.getKey().contains("running"), p.getKey());
      }
    }
    assertTrue(running > 0);
  }

  @Test
  void sameSeedGivesIdenticalParametersAndOutputs() {
    NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(4), List.of(16, 8), 5);
    Network a = Network.create(spec, manager, new SplittableRandom(9));
    Network b = Network.create(spec, manager, new SplittableRandom(9));
    Network c = Network.create(spec, manager, new SplittableRandom(10));
    ParameterList pa = a.parameters();
    ParameterList pb = b.parameters();
    assertEquals(pa.keys(), pb.keys());
    for (int i = 0; i < pa.size(); i++) {
      assertArrayEquals(pa.valueAt(i).getArray().toFloatArray(), pb.valueAt(i).getArray().toFloatArray(), pa.keyAt(i));
    }
    NDArray x = images(4, 8);
    assertArrayEquals(a.logits(ps, x, true).toFloatArray(), b.logits(ps, x, true).toFloatArray());
    assertArrayEquals(a.projection(ps, x, false).toFloatArray(), b.projection(ps, x, false).toFloatArray());
    assertFalse(java.util.Arrays.equals(
        a.projection(ps, x, false).toFloatArray(), c.projection(ps, x, false).toFloatArray()));
  }

  @Test
  void initialisationFollowsTorchDefaultBounds() {
    Network net = Network.create(new NetworkSpec(ResNetSpec.resnet18(8), List.of(64), 0), manager, new SplittableRandom(3));
    for (Pair<String, Parameter> p : net.parameters()) {
      NDArray a = p.getValue().getArray();
      switch (p.getValue().getType()) {
        case WEIGHT -> {
          double bound = 1 / Math.sqrt(a.getShape().size() / a.getShape().get(0));
          float max = a.abs().max().getFloat();
          assertTrue(max <= bound && max > 0.9 * bound, p.getKey() + " max " + max + " bound " + bound);
        }
        case GAMMA, RUNNING_VAR -> assertEquals(a.getShape().size(), a.sum().getFloat(), 1e-6, p.getKey());
        case BETA, RUNNING_MEAN -> assertEquals(0f, a.abs().sum().getFloat(), p.getKey());
        default -> { }
      }
    }
  }

  @Test
  void inputNormalisationLivesInsideTheEncoder() {
    InputNormalization norm = InputNormalization.CIFAR10;
    ResNetSpec plain = ResNetSpec.resnet18(4).withBlocks(List.of(1, 1));
    Network raw = Network.create(new NetworkSpec(plain, List.of(), 0), manager, new SplittableRandom(4));
    Network normed = Network.create(new NetworkSpec(plain.withNormalization(norm), List.of(), 0), manager, new SplittableRandom(4));
    NDArray x = images(2, 8);
    float[] mean = {0.4914f, 0.4822f, 0.4465f};
    float[] std = {0.2470f, 0.2435f, 0.2616f};
    NDArray standardised = x.sub(manager.create(mean, new Shape(1, 3, 1, 1))).div(manager.create(std, new Shape(1, 3, 1, 1)));
    assertArrayEquals(raw.features(ps, standardised, false).toFloatArray(), normed.features(ps, x, false).toFloatArray(), 1e-5f);
    assertFalse(java.util.Arrays.equals(raw.features(ps, x, false).toFloatArray(), normed.features(ps, x, false).toFloatArray()));
  }

  @Test
  void dualBatchNormKeepsSeparateRunningStatistics() {
    NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(4).withBlocks(List.of(1)).withDualBn(true), List.of(), 3);
    Network net = Network.create(spec, manager, new SplittableRandom(5));
    Parameter cleanMean = find(net, "stem_bn_01clean_runningMean");
    Parameter advMean = find(net, "stem_bn_02adversarial_runningMean");
    Parameter cleanGamma = find(net, "stem_bn_01clean_gamma");
    Parameter advGamma = find(net, "stem_bn_02adversarial_gamma");
    assertTrue(cleanGamma.requiresGradient() && advGamma.requiresGradient());
    assertTrue(cleanGamma.getArray() != advGamma.getArray());

    net.features(ps, images(4, 8).add(0.5), true, true);
    assertEquals(0f, cleanMean.getArray().abs().sum().getFloat(), "clean BN must not see adversarial inputs");
    float[] advAfterAdversarial = advMean.getArray().toFloatArray();
    assertTrue(advMean.getArray().abs().sum().getFloat() > 0);

    net.features(ps, images(4, 8), true, false);
    assertTrue(cleanMean.getArray().abs().sum().getFloat() > 0);
    assertArrayEquals(advAfterAdversarial, advMean.getArray().toFloatArray(), "adversarial BN must not see clean inputs");

    NDArray x = images(2, 8);
    assertFalse(java.util.Arrays.equals(
        net.logits(ps, x, false, false).toFloatArray(), net.logits(ps, x, false, true).toFloatArray()));

    Network single = Network.create(spec.withClasses(0).withProjector(List.of()), manager, new SplittableRandom(5));
    Network plain = Network.create(new NetworkSpec(ResNetSpec.resnet18(4).withBlocks(List.of(1)), List.of(), 0), manager, new SplittableRandom(5));
    assertEquals(plain.learnableScalarCount() * 1, single.learnableScalarCount() - bnLearnables(plain));
    assertThrows(IllegalStateException.class, () -> plain.features(ps, images(2, 8), false, true));
  }

  @Test
  void aSingleBnCopyOfADualBnNetworkComputesWhatTheChosenBranchComputes() {
    NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(4).withBlocks(List.of(1, 1)).withDualBn(true), List.of(8), 3);
    Network dual = Network.create(spec, manager, new SplittableRandom(5));
    // distinct statistics per branch: one training pass each on differently shifted inputs
    dual.features(ps, images(4, 8).add(0.5), true, true);
    dual.features(ps, images(4, 8), true, false);
    NDArray x = images(3, 8);
    Network adversarial = dual.withBatchNorm(Network.BatchNormBranch.ADVERSARIAL, manager);
    Network clean = dual.withBatchNorm(Network.BatchNormBranch.CLEAN, manager);
    assertFalse(adversarial.spec().encoder().dualBn());
    assertArrayEquals(dual.logits(ps, x, false, true).toFloatArray(), adversarial.logits(ps, x, false).toFloatArray(), 1e-6f);
    assertArrayEquals(dual.logits(ps, x, false, false).toFloatArray(), clean.logits(ps, x, false).toFloatArray(), 1e-6f);
    assertArrayEquals(dual.projection(ps, x, false, true).toFloatArray(), adversarial.projection(ps, x, false).toFloatArray(), 1e-6f);
    assertFalse(java.util.Arrays.equals(adversarial.logits(ps, x, false).toFloatArray(), clean.logits(ps, x, false).toFloatArray()));
    // a copy: training the collapsed network leaves the dual one untouched
    float[] before = dual.logits(ps, x, false, true).toFloatArray();
    adversarial.features(ps, images(4, 8).add(0.3), true);
    assertArrayEquals(before, dual.logits(ps, x, false, true).toFloatArray());
    Network single = Network.create(new NetworkSpec(spec.encoder().withDualBn(false), List.of(), 0),
        manager, new SplittableRandom(5));
    assertTrue(single == single.withBatchNorm(Network.BatchNormBranch.ADVERSARIAL, manager));
  }

  private static long bnLearnables(Network net) {
    long n = 0;
    for (Pair<String, Parameter> p : net.parameters()) {
      if (p.getValue().getType() == Parameter.Type.GAMMA || p.getValue().getType() == Parameter.Type.BETA) {
        n += p.getValue().getArray().getShape().size();
      }
    }
    return n;
  }

  private static Parameter find(Network net, String suffix) {
    Parameter found = null;
    for (Pair<String, Parameter> p : net.parameters()) {
      if (p.getKey().endsWith(suffix)) {
        assertEquals(null, found, "ambiguous suffix " + suffix);
        found = p.getValue();
      }
    }
    assertTrue(found != null, "no parameter ending in " + suffix + " among " + net.parameters().keys());
    return found;
  }

  @Test
  void newHeadSharesTheEncoderAndFreezingStopsItsGradients() {
    NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(4).withBlocks(List.of(1, 1)), List.of(16), 0);
    Network pre = Network.create(spec, manager, new SplittableRandom(6));
    Network eval = pre.withHead(7, manager, new SplittableRandom(7));
    assertEquals(7, eval.spec().classes());
    assertEquals(0, pre.spec().classes());
    assertSame(pre.encoder(), eval.encoder());
    assertEquals(new Shape(2, 7), eval.logits(ps, images(2, 8), false).getShape());

    eval.freezeEncoder(true);
    for (Parameter p : eval.trainableParameters()) {
      assertTrue(eval.head() != null && eval.head().getParameters().values().contains(p)
          || eval.projector() != null && eval.projector().getParameters().values().contains(p), p.getName());
    }
    for (Pair<String, Parameter> p : eval.encoderParameters()) {
      assertFalse(p.getValue().getArray().hasGradient(), p.getKey());
    }
    eval.freezeEncoder(false);
    assertEquals(pre.learnableScalarCount() + 8L * 7 + 7, eval.learnableScalarCount());
    for (Pair<String, Parameter> p : eval.encoderParameters()) {
      assertEquals(p.getValue().getType() != Parameter.Type.RUNNING_MEAN && p.getValue().getType() != Parameter.Type.RUNNING_VAR,
          p.getValue().getArray().hasGradient(), p.getKey());
    }
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /**
   * Building, loading, re-heading or re-BN-ing a network draws nothing from PyTorch's process-global
   * generator. Two stages share that generator when they run side by side in one JVM, and a draw
   * of one landing between the other's reseed and draw ({@code EngineDraws}) made the in-process
   * table 2 differ, now and then, from the one of child processes (CI, SlurmLauncherTest).
   */
  @Test
  void buildingLoadingOrReshapingANetworkLeavesTheEnginesGeneratorAlone(@TempDir Path dir) throws IOException {
    NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet18(4).withBlocks(List.of(1, 1)).withDualBn(true), List.of(8), 3);
    Network dual = Network.create(spec, manager, new SplittableRandom(5));
    Path file = dir.resolve("net.bin");
    dual.save(file);
    Map<String, Runnable> builds = new LinkedHashMap<>();
    builds.put("create", () -> Network.create(spec, manager, new SplittableRandom(1)));
    builds.put("load", () -> {
      try {
        Network.load(file, manager);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    builds.put("withHead", () -> dual.withHead(4, manager, new SplittableRandom(2)));
    builds.put("withBatchNorm", () -> dual.withBatchNorm(Network.BatchNormBranch.ADVERSARIAL, manager));
    float[] untouched = drawAfterReseeding(() -> { });
    for (Map.Entry<String, Runnable> build : builds.entrySet()) {
      assertArrayEquals(untouched, drawAfterReseeding(build.getValue()), build.getKey() + " drew from the engine's generator");
    }
  }

  private float[] drawAfterReseeding(Runnable between) {
    EngineDraws.reseed(Engine.getInstance(), 42);
    between.run();
    return manager.randomUniform(0, 1, new Shape(32)).toFloatArray();
  }

  @Test
  void specsRejectBadValues() {
    assertThrows(IllegalArgumentException.class, () -> new ResNetSpec(20, 64, List.of(), false, null));
    assertThrows(IllegalArgumentException.class, () -> ResNetSpec.resnet18(0));
    assertThrows(IllegalArgumentException.class, () -> ResNetSpec.resnet18(4).withBlocks(List.of(1, 1, 1, 1, 1)));
    assertThrows(IllegalArgumentException.class, () -> ResNetSpec.resnet18(4).withBlocks(List.of(2, 0)));
    assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(ResNetSpec.resnet18(4), List.of(0), 0));
    assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(ResNetSpec.resnet18(4), List.of(), -1));
    assertThrows(IllegalArgumentException.class, () -> new InputNormalization(List.of(0.5, 0.5, 0.5), List.of(0.2, 0.0, 0.2)));
    assertNotEquals(ResNetSpec.resnet18(64), ResNetSpec.resnet50(64));
    assertEquals(512, ResNetSpec.resnet18(64).featureDim());
    assertEquals(2048, ResNetSpec.resnet50(64).featureDim());
  }
}
