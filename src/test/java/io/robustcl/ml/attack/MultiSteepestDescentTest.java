package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.robustcl.testing.CpuScope;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MSD (Maini et al. 2020): results lie in the union of the balls and raise the loss. */
class MultiSteepestDescentTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  @Test
  void staysInTheUnionOfBallsAndRaisesTheLoss() {
    TinyClassifier model = new TinyClassifier(cpu.manager(), 32, 7);
    MultiSteepestDescent msd = new MultiSteepestDescent(List.of(
        new MultiSteepestDescent.ThreatModel(Norm.LINF, 0.03, 0.01, 0.05),
        new MultiSteepestDescent.ThreatModel(Norm.L2, 0.3, 0.1, 0.05),
        new MultiSteepestDescent.ThreatModel(Norm.L1, 2.0, 0.5, 0.05)), 5);
    ClassificationObjective objective = model.objective();
    NDArray adv = msd.perturb(model.images, objective, model.parameters(), new SplittableRandom(1));
    NDArray delta = adv.sub(model.images);
    float[] linf = PerturbationBall.norms(delta, Norm.LINF).toFloatArray();
    float[] l2 = PerturbationBall.norms(delta, Norm.L2).toFloatArray();
    float[] l1 = PerturbationBall.norms(delta, Norm.L1).toFloatArray();
    for (int i = 0; i < linf.length; i++) {
      boolean inUnion = linf[i] <= 0.03f + 1e-5f || l2[i] <= 0.3f + 1e-5f || l1[i] <= 2.0f + 1e-4f;
      assertTrue(inUnion, "sample " + i + " outside every ball: " + linf[i] + " " + l2[i] + " " + l1[i]);
    }
    assertTrue(adv.min().getFloat() >= 0 && adv.max().getFloat() <= 1, "inside the box");
    float before = objective.losses(model.images).sum().getFloat();
    float after = objective.losses(adv).sum().getFloat();
    assertTrue(after > before, "MSD raises the loss: " + before + " -> " + after);
  }
}
