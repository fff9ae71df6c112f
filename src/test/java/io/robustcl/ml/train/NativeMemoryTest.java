package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@link TrainingLoop} (RoCL: augmentation, the instance-wise PGD attack, torchlars LARS, an
 * epoch checkpoint after every epoch) must not grow native memory: the number of arrays under the
 * stage's root manager is the same after every epoch once the first has run, and process RSS growth
 * stays bounded.
 *
 * <p>The device comes from {@code -Drobustcl.test.device} (default {@code cpu}); on a GPU host run
 * {@code mvn -Pcu118 -Drobustcl.test.device=gpu -Dtest=NativeMemoryTest test}. On the CPU a host copy
 * needs no new array, so the per-epoch checkpoint leak of DJL 0.25's {@code toFloatArray} (a CPU copy
 * attached to the root manager) shows only on a GPU; the count is what a CPU can check.
 */
class NativeMemoryTest {
  @TempDir Path checkpoints;

  @Test
  void trainingWithAttackOptimiserAndCheckpointsKeepsTheRootManagerFlat() throws IOException {
    String device = System.getProperty("robustcl.test.device", "cpu");
    try (ComputeScope scope = ComputeScope.open(device, 5)) {
      NDManager root = scope.manager();
      Network network = TinyImages.network(root, 3);
      ModelParameters parameters = ModelParameters.of(network.parameters());
      SgdOptimizer lars = new SgdOptimizer(parameters, SgdSettings.larsEveryParameter(0.9, 1e-6), root);
      RoclTraining rocl = new RoclTraining(network, SimClrAugmentation.builder().optSize(TinyImages.SIZE).build(),
          new RoclTraining.Settings(PgdAttack.linf(0.0314, 0.007, 2), InstanceWiseAttack.Loss.CONTRASTIVE,
              InstanceWiseAttack.View.T, InstanceWiseAttack.View.T_PRIME, 0.5, 256));
      List<Integer> arraysAfterEpoch = new ArrayList<>();
      List<Long> rssAfterEpoch = new ArrayList<>();
      TrainingListener listener = new TrainingListener() {
        @Override
        public void stepFinished(StepReport report) {}

        @Override
        public void epochFinished(EpochReport report) {
          arraysAfterEpoch.add(root.getManagedArrays().size());
          rssAfterEpoch.add(rssKb());
        }
      };
      TrainingLoop loop = new TrainingLoop(parameters, lars, LearningRateSchedule.constant(0.5), rocl,
          BatchSource.of(new BatchLoader(TinyImages.generate(32, 4), 8, true, true, 1)), listener,
          CancellationCheck.never());
      TrainingOutcome outcome = loop.run(root, new TrainingPlan("rocl", 6, 2, checkpoints));
      assertEquals(24, outcome.steps());
      assertTrue(Files.exists(checkpoints.resolve("epoch-000006.ckpt")));
      // epochFinished runs before that epoch's checkpoint: from the second epoch on, every count
      // includes the previous epoch's checkpoint write
      for (int e = 2; e < arraysAfterEpoch.size(); e++) {
        assertEquals(arraysAfterEpoch.get(1), arraysAfterEpoch.get(e),
            "arrays under the root manager after each epoch: " + arraysAfterEpoch);
      }
      long growthKb = rssAfterEpoch.get(5) - rssAfterEpoch.get(1);
      assertTrue(rssAfterEpoch.get(1) < 0 || growthKb < 64 * 1024, "RSS grew by " + growthKb + " kB over 4 epochs");
    }
  }

  /** Resident set size from /proc, or -1 where there is no /proc. */
  private static long rssKb() {
    Path status = Path.of("/proc/self/status");
    try {
      if (!Files.isReadable(status)) {
        return -1;
      }
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }
}
