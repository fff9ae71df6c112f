package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.robustcl.testing.CpuScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PgdAttackTest {

    @RegisterExtension final CpuScope cpu = new CpuScope();
    private TinyClassifier model;

    @BeforeEach
    void open() {
        model = new TinyClassifier(cpu.manager(), 64, 7);
    }

    @Test
    void trainedModelIsAccurate() {
        assertTrue(model.accuracy(model.images) > 0.95, "clean accuracy " + model.accuracy(model.images));
    }

    @Test
    void everyNormStaysInBoxAndBall() {
        PgdAttack[] attacks = {
            PgdAttack.linf(0.1, 0.03, 5).withRestarts(2),
            PgdAttack.l2(0.5, 0.2, 5).withRestarts(2),
            PgdAttack.l1(1.5, 0.5, 5).withRestarts(2),
            PgdAttack.l1(1.5, 0.5, 5).withL1TopFraction(1.0),
            new PgdAttack(Norm.L2, 3.0, 1.0, 4, true, 1, 0.05),
        };
        for (PgdAttack attack : attacks) {
            NDArray adv = attack.perturb(model.images, model.objective(), model.parameters(), new SplittableRandom(1));
            assertEquals(model.images.getShape(), adv.getShape());
            assertTrue(adv.min().getFloat() >= 0f && adv.max().getFloat() <= 1f, attack + " leaves [0,1]");
            float[] norms = PerturbationBall.norms(adv.sub(model.images), attack.norm()).toFloatArray();
            for (float norm : norms) {
                assertTrue(norm <= attack.eps() * (1 + 1e-5) + 1e-6, attack + ": norm " + norm);
            }
            // the attack uses its budget: some sample moved substantially
            float largest = PerturbationBall.norms(adv.sub(model.images), attack.norm()).max().getFloat();
            assertTrue(largest > attack.eps() * 0.5, attack + ": largest norm " + largest);
        }
        NDArray fgsm = new FgsmAttack(0.1).perturb(model.images, model.objective(), model.parameters(), new SplittableRandom(1));
        NDArray moved = fgsm.sub(model.images).abs();
        assertTrue(moved.max().getFloat() <= 0.1f + 1e-6f && moved.max().getFloat() > 0.099f);
    }

    @Test
    void rejectsInputsOutsideUnitBox() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PgdAttack.linf(0.1, 0.01, 1).perturb(model.images.mul(255f), model.objective(), model.parameters(), new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("[0,1]"));
    }

    @Test
    void pgdLowersAccuracyMoreThanRandomNoiseOfTheSameNorm() {
        double eps = 0.15;
        NDArray adv = PgdAttack.linf(eps, 0.04, 10).perturb(model.images, model.objective(), model.parameters(), new SplittableRandom(1));
        Engine.getInstance().setRandomSeed(3);
        NDArray noise = cpu.manager().randomUniform(-1f, 1f, model.images.getShape()).sign().mul((float) eps);
        NDArray noisy = model.images.add(noise).clip(0f, 1f);
        double clean = model.accuracy(model.images);
        double random = model.accuracy(noisy);
        double robust = model.accuracy(adv);
        assertTrue(robust < random - 0.3, "pgd " + robust + " random " + random + " clean " + clean);

        // the same for l_2 and l_1 with noise of the same norm
        NDArray direction = cpu.manager().randomNormal(model.images.getShape());
        NDArray l2Noise = direction.div(PerturbationBall.norms(direction, Norm.L2).reshape(-1, 1, 1, 1)).mul(0.6f);
        NDArray l2Adv = PgdAttack.l2(0.6, 0.15, 10).perturb(model.images, model.objective(), model.parameters(), new SplittableRandom(1));
        assertTrue(model.accuracy(l2Adv) < model.accuracy(model.images.add(l2Noise).clip(0f, 1f)) - 0.3);
        NDArray l1Noise = direction.div(PerturbationBall.norms(direction, Norm.L1).reshape(-1, 1, 1, 1)).mul(2.4f);
        NDArray l1Adv = PgdAttack.l1(2.4, 0.6, 10).perturb(model.images, model.objective(), model.parameters(), new SplittableRandom(1));
        assertTrue(model.accuracy(l1Adv) < model.accuracy(model.images.add(l1Noise).clip(0f, 1f)) - 0.3,
                "l1 pgd " + model.accuracy(l1Adv));
    }

    @Test
    void moreStepsNeverWeakerInExpectation() {
        int[] steps = {1, 3, 10};
        double[] meanLoss = new double[steps.length];
        for (int seed = 0; seed < 5; seed++) {
            for (int s = 0; s < steps.length; s++) {
                NDArray adv = PgdAttack.linf(0.08, 0.02, steps[s]).perturb(model.images, model.objective(), model.parameters(),
                        new SplittableRandom(100 + seed));
                meanLoss[s] += model.meanLoss(adv) / 5;
            }
        }
        assertTrue(meanLoss[0] <= meanLoss[1] + 1e-4 && meanLoss[1] <= meanLoss[2] + 1e-4,
                java.util.Arrays.toString(meanLoss));
        assertTrue(meanLoss[2] > model.meanLoss(model.images));
    }

    @Test
    void attackLeavesParametersGradientsAndFlagsUntouched() {
        List<NDArray> parameters = model.parameters();
        // give the weights non-zero accumulated gradients, then switch one parameter's gradient off
        try (io.robustcl.ml.device.GradientTape collector = io.robustcl.ml.device.GradientTape.record()) {
            collector.backward(model.logits(model.images).sum());
        }
        NDArray switchedOff = parameters.get(0);
        switchedOff.setRequiresGradient(false);
        List<float[]> valuesBefore = new ArrayList<>();
        List<float[]> gradientsBefore = new ArrayList<>();
        List<Boolean> flagsBefore = new ArrayList<>();
        for (NDArray p : parameters) {
            valuesBefore.add(p.toFloatArray());
            flagsBefore.add(p.hasGradient());
            gradientsBefore.add(p.hasGradient() ? p.getGradient().toFloatArray() : new float[0]);
        }
        assertTrue(flagsBefore.contains(true) && flagsBefore.contains(false));
        PgdAttack.linf(0.1, 0.03, 3).withRestarts(2).perturb(model.images, model.objective(), parameters, new SplittableRandom(2));
        PgdAttack.l1(1.0, 0.3, 2).perturb(model.images, model.objective(), parameters, new SplittableRandom(2));
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            assertArrayEquals(valuesBefore.get(i), p.toFloatArray(), "values of parameter " + i);
            assertEquals(flagsBefore.get(i), p.hasGradient(), "requiresGradient of parameter " + i);
            if (p.hasGradient()) {
                assertArrayEquals(gradientsBefore.get(i), p.getGradient().toFloatArray(), "gradient of parameter " + i);
            }
        }
        assertFalse(model.images.hasGradient());
    }

    @Test
    void restartsKeepPerSampleWorstCase() {
        // steps = 0: each restart is one random start; the objective sees every candidate
        List<float[]> candidateLosses = new ArrayList<>();
        List<float[]> candidateFooled = new ArrayList<>();
        AttackObjective recording = new AttackObjective() {
            @Override
            public NDArray losses(NDArray input) {
                NDArray losses = input.reshape(input.getShape().get(0), -1).sum(new int[] {1});
                candidateLosses.add(losses.toFloatArray());
                return losses;
            }

            @Override
            public NDArray fooled(NDArray input) {
                // fooled when the first pixel moved down: independent of the loss ranking
                NDArray fooled = input.reshape(input.getShape().get(0), -1).get(":, 0").lt(model.images.reshape(64, -1).get(":, 0"));
                candidateFooled.add(fooled.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
                return fooled;
            }
        };
        NDArray adv = new PgdAttack(Norm.LINF, 0.1, 0.01, 0, true, 4, 0.05).perturb(model.images, recording, List.of(), new SplittableRandom(3));
        assertEquals(4, candidateLosses.size());
        float[] returned = adv.reshape(64, -1).sum(new int[] {1}).toFloatArray();
        for (int n = 0; n < 64; n++) {
            boolean anyFooled = false;
            float best = Float.NEGATIVE_INFINITY;
            for (int r = 0; r < 4; r++) {
                anyFooled |= candidateFooled.get(r)[n] > 0;
            }
            for (int r = 0; r < 4; r++) {
                if (!anyFooled || candidateFooled.get(r)[n] > 0) {
                    best = Math.max(best, candidateLosses.get(r)[n]);
                }
            }
            assertEquals(best, returned[n], 1e-4, "sample " + n);
        }
    }

    @Test
    void l1ProjectionIsExactOntoBallAndBox() {
        Engine.getInstance().setRandomSeed(11);
        int n = 6;
        int d = 5;
        NDArray x = cpu.manager().randomUniform(0f, 1f, new Shape(n, d));
        NDArray v = cpu.manager().randomNormal(0f, 1.5f, new Shape(n, d), ai.djl.ndarray.types.DataType.FLOAT32);
        double eps = 1.2;
        NDArray p = L1BoxProjection.project(v, x.neg(), x.onesLike().sub(x), eps);
        float[] norms = p.abs().sum(new int[] {1}).toFloatArray();
        for (float norm : norms) {
            assertTrue(norm <= eps + 1e-5, "l1 norm " + norm);
        }
        NDArray point = p.add(x);
        assertTrue(point.min().getFloat() >= -1e-6f && point.max().getFloat() <= 1 + 1e-6f);
        // idempotent
        NDArray again = L1BoxProjection.project(p, x.neg(), x.onesLike().sub(x), eps);
        assertArrayEquals(p.toFloatArray(), again.toFloatArray(), 1e-5f);
        // no feasible point is closer to v: random feasible points and perturbations of p
        float[] distance = p.sub(v).square().sum(new int[] {1}).toFloatArray();
        for (int trial = 0; trial < 200; trial++) {
            NDArray candidate = trial % 2 == 0
                    ? cpu.manager().randomUniform(-1f, 1f, new Shape(n, d))
                    : p.add(cpu.manager().randomNormal(0f, 0.05f, new Shape(n, d), ai.djl.ndarray.types.DataType.FLOAT32));
            candidate = candidate.maximum(x.neg()).minimum(x.onesLike().sub(x));
            NDArray l1 = candidate.abs().sum(new int[] {1}, true);
            candidate = candidate.mul(l1.pow(-1f).mul((float) eps).minimum(1f)); // scaling toward 0 stays in box
            float[] other = candidate.sub(v).square().sum(new int[] {1}).toFloatArray();
            for (int i = 0; i < n; i++) {
                assertTrue(distance[i] <= other[i] + 1e-4, "closer feasible point at trial " + trial);
            }
        }
    }
}
