package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.NetworkSpec;
import io.robustcl.ml.model.ResNetSpec;
import io.robustcl.testing.CpuScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14 item 4: on a GPU every device scalar made from a Java number is a blocking host-to-device
 * copy. A RoCL step (two SimCLR views, the instance-wise PGD, the torchlars update) makes its constants
 * through {@link DeviceScalars}; this counts them per step and checks that the count is small and does
 * not grow with the number of parameters or of attack iterations (before, it was about 200 per step in
 * the optimiser alone and about 9 per l_inf iteration).
 */
class ScalarCreationsTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  /** Device scalars made per step, for the given encoder stages and PGD iterations. */
  private List<Long> perStep(List<Integer> blocks, int attackSteps) {
    AtomicLong created = new AtomicLong();
    DeviceScalars counting = new DeviceScalars(created::addAndGet);
    NetworkSpec spec = new NetworkSpec(new ResNetSpec(18, 4, blocks, false, null), List.of(16, 8), 3);
    Network network = Network.create(spec, cpu.manager(), new SplittableRandom(3));
    ModelParameters parameters = ModelParameters.of(network.parameters());
    SgdOptimizer lars = new SgdOptimizer(parameters, SgdSettings.larsEveryParameter(0.9, 1e-6), cpu.manager(), counting);
    RoclTraining rocl = new RoclTraining(network,
        SimClrAugmentation.builder().optSize(TinyImages.SIZE).optScalars(counting).build(),
        new RoclTraining.Settings(PgdAttack.linf(0.0314, 0.007, attackSteps).withScalars(counting),
            InstanceWiseAttack.Loss.CONTRASTIVE, InstanceWiseAttack.View.T, InstanceWiseAttack.View.T_PRIME, 0.5, 256));
    List<Long> counts = new ArrayList<>();
    long[] last = {created.get()};
    TrainingListener listener = report -> {
      counts.add(created.get() - last[0]);
      last[0] = created.get();
    };
    new TrainingLoop(parameters, lars, LearningRateSchedule.constant(0.5), rocl,
        BatchSource.of(new BatchLoader(TinyImages.generate(24, 4), 8, true, true, 1)), listener, CancellationCheck.never())
        .run(cpu.manager(), new TrainingPlan("rocl", 1, 2, null));
    return counts;
  }

  @Test
  void aRoclStepMakesAFewDozenDeviceScalarsWhateverTheModelAndAttackSize() {
    List<Long> small = perStep(List.of(1), 2);
    List<Long> large = perStep(List.of(1, 1, 1), 6);
    assertEquals(3, small.size());
    long perStep = small.get(1);
    assertTrue(small.stream().allMatch(c -> c == perStep) && large.stream().allMatch(c -> c == perStep),
        "scalars per step must not depend on parameter count or attack iterations: " + small + " vs " + large);
    // 2 augmented views x 10 constants, 8 for the attack, 1 learning rate
    assertTrue(perStep <= 30, "device scalars per RoCL step: " + perStep);
  }
}
