package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.MultiSteepestDescent;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.data.UniformNoise;
import io.robustcl.ml.model.Network;
import io.robustcl.testing.CpuScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each pre-training method lowers its own loss over a few dozen steps on tiny images. With the default
 * two PyTorch threads again: the NaN that made these runs fail about once in 20 was a constant freed by
 * the garbage collector before backward, not the thread count (issue 17; CollectionBeforeBackwardTest).
 */
class TrainingMethodsTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  /**
   * Mild views (crop and flip only): with the full SimCLR strength a tiny network on 48 images stays at
   * chance for far longer than a unit test may run, and the test would check nothing.
   */
  private static final ImageTransform AUGMENT = SimClrAugmentation.builder().optSize(TinyImages.SIZE).optScale(0.8, 1.0)
      .optJitterProbability(0).optGrayscaleProbability(0).build();
  /** Short attacks keep the test in seconds; the papers' step counts are the settings' defaults. */
  private static final PgdAttack SHORT = PgdAttack.linf(8.0 / 255, 2.0 / 255, 2);

  static Stream<Arguments> methods() {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("ce", (Function<Network, TrainingMethod>) n -> new SupervisedTraining(n, null, SupervisedTraining.Settings.ce())));
    out.add(Arguments.of("at", (Function<Network, TrainingMethod>) n ->
        new SupervisedTraining(n, null, new SupervisedTraining.Settings(SupervisedTraining.Objective.AT, SHORT, 0))));
    out.add(Arguments.of("trades", (Function<Network, TrainingMethod>) n ->
        new SupervisedTraining(n, null, new SupervisedTraining.Settings(SupervisedTraining.Objective.TRADES, SHORT, 6))));
    out.add(Arguments.of("alp", (Function<Network, TrainingMethod>) n ->
        new SupervisedTraining(n, null, new SupervisedTraining.Settings(SupervisedTraining.Objective.ALP, SHORT, 0.5))));
    out.add(Arguments.of("msd", (Function<Network, TrainingMethod>) n ->
        new SupervisedTraining(n, null, new SupervisedTraining.Settings(SupervisedTraining.Objective.MSD,
            MultiSteepestDescent.cifar(2), 0))));
    out.add(Arguments.of("ss-ood", (Function<Network, TrainingMethod>) n -> new SupervisedTraining(n, null,
        new SupervisedTraining.Settings(SupervisedTraining.Objective.SS_OOD, SHORT, 0.5))));
    out.add(Arguments.of("simclr", (Function<Network, TrainingMethod>) n ->
        new ContrastiveTraining(n, AUGMENT, null, ContrastiveTraining.Settings.simclr())));
    out.add(Arguments.of("scl", (Function<Network, TrainingMethod>) n ->
        new ContrastiveTraining(n, AUGMENT, null, ContrastiveTraining.Settings.scl())));
    out.add(Arguments.of("rush", (Function<Network, TrainingMethod>) n ->
        new ContrastiveTraining(n, AUGMENT, new UniformNoise(), ContrastiveTraining.Settings.rush())));
    out.add(Arguments.of("rocl", (Function<Network, TrainingMethod>) n -> new RoclTraining(n, AUGMENT,
        new RoclTraining.Settings(PgdAttack.linf(0.0314, 0.007, 2), InstanceWiseAttack.Loss.CONTRASTIVE,
            InstanceWiseAttack.View.T, InstanceWiseAttack.View.T_PRIME, 0.5, 256))));
    for (InstanceWiseAttack.Loss loss : List.of(InstanceWiseAttack.Loss.MSE, InstanceWiseAttack.Loss.COSINE,
        InstanceWiseAttack.Loss.L1)) {
      out.add(Arguments.of("rocl-" + loss, (Function<Network, TrainingMethod>) n -> new RoclTraining(n, AUGMENT,
          new RoclTraining.Settings(PgdAttack.linf(0.0314, 0.007, 2), loss, InstanceWiseAttack.View.T,
              InstanceWiseAttack.View.X, 0.5, 256))));
    }
    out.add(Arguments.of("upat", (Function<Network, TrainingMethod>) n -> new UpatTraining(n, AUGMENT,
        new UpatTraining.Settings(PgdAttack.linf(0.03, 2.0 / 256, 2), InstanceWiseAttack.Loss.CONTRASTIVE,
            InstanceWiseAttack.View.T_PRIME, InstanceWiseAttack.View.T, 0.5, 1.0 / 256))));
    out.add(Arguments.of("ascl", (Function<Network, TrainingMethod>) n ->
        new AsclTraining(n, AUGMENT, new AsclTraining.Settings(SHORT, 0.5, 0.2, 0.5, false))));
    out.add(Arguments.of("ascl, separated BN", (Function<Network, TrainingMethod>) n ->
        new AsclTraining(n, AUGMENT, new AsclTraining.Settings(SHORT, 0.5, 0.2, 0.5, true))));
    out.add(Arguments.of("ascl, label-free attacks", (Function<Network, TrainingMethod>) n ->
        new AsclTraining(n, AUGMENT, new AsclTraining.Settings(SHORT, 0.5, 0.2, 0.5, false, AsclTraining.Generation.LABEL_FREE))));
    out.add(Arguments.of("acl", (Function<Network, TrainingMethod>) n ->
        new AclTraining(n, AUGMENT, new AclTraining.Settings(SHORT, 0.5, true))));
    return out.stream();
  }

  /** The tiny network (seed 3) that method {@code name} of {@link #methods} trains. */
  static Network networkFor(String name, ai.djl.ndarray.NDManager manager) {
    Network tiny = name.contains("separated") || name.equals("acl")
        ? TinyImages.dualBnNetwork(manager, 3) : TinyImages.network(manager, 3);
    // ss-ood keeps its rotation head f -> 4 in the projector slot
    return name.equals("ss-ood")
        ? Network.create(tiny.spec().withProjector(List.of(4)), manager, new java.util.SplittableRandom(3))
        : tiny;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void lowersItsLoss(String name, Function<Network, TrainingMethod> factory) {
    Network network = networkFor(name, cpu.manager());
    ImageSet data = TinyImages.generate(48, 5);
    ModelParameters parameters = ModelParameters.of(network.parameters());
    float[] before = parameters.trainable().get(0).array().toFloatArray();
    SgdOptimizer sgd = new SgdOptimizer(parameters, SgdSettings.sgd(0.9, 1e-4), cpu.manager());
    List<Double> losses = new ArrayList<>();
    TrainingLoop loop = new TrainingLoop(parameters, sgd, LearningRateSchedule.constant(0.02), factory.apply(network),
        BatchSource.of(new BatchLoader(data, 16, true, true, 1)), r -> losses.add(r.loss()), CancellationCheck.never());
    // contrastive losses are noisy step to step (fresh views each step): compare 12-step means over 60 steps
    loop.run(cpu.manager(), new TrainingPlan(name, 20, 7, null));
    assertTrue(losses.size() == 60 && losses.stream().allMatch(Double::isFinite), losses.toString());
    double first = losses.subList(0, 12).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(48, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertTrue(last < first, name + ": mean loss of the last 12 steps " + last + " not below the first 12 " + first);
    float[] after = parameters.trainable().get(0).array().toFloatArray();
    assertTrue(!java.util.Arrays.equals(before, after), "parameters must change");
  }
}
