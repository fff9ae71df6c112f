package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.testing.CpuScope;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * APGD's and FAB's constants are made through the attack's {@link DeviceScalars}, so its counter sees
 * them, once per call rather than per step, and counting changes no result.
 */
class AttackScalarsTest {
    @RegisterExtension final CpuScope cpu = new CpuScope();

    @Test
    void apgdAndFabMakeAndCountTheirConstantsThroughTheirDeviceScalarsOncePerCall() {
        PolytopeModel model = new PolytopeModel(cpu.manager(), 40, 2);
        double eps = LinearModel.clearEps(model.distances(Norm.LINF), 0.5);
        AtomicInteger created = new AtomicInteger();
        DeviceScalars counting = new DeviceScalars(created::addAndGet);
        ApgdAttack apgd = ApgdAttack.ce(Norm.LINF, eps);
        FabAttack fab = FabAttack.targeted(Norm.LINF, eps).withTargets(1);
        int[][] made = new int[2][2];
        int[] stepCounts = {10, 40};
        for (int k = 0; k < stepCounts.length; k++) {
            int steps = stepCounts[k];
            ClassifierAttack[][] pairs = {
                {apgd.withIterations(steps), apgd.withIterations(steps).withScalars(counting)},
                {fab.withIterations(steps), fab.withIterations(steps).withScalars(counting)}};
            for (int a = 0; a < pairs.length; a++) {
                ClassifierAttack[] pair = pairs[a];
                float[] uncounted = pair[0].perturb(model.classifier(), model.images, model.labels,
                        new SplittableRandom(3)).toFloatArray();
                created.set(0);
                float[] counted = pair[1].perturb(model.classifier(), model.images, model.labels,
                        new SplittableRandom(3)).toFloatArray();
                made[a][k] = created.get();
                System.out.printf("attack scalars: %s %d steps: %d constants%n", pair[0].getClass().getSimpleName(),
                        steps, made[a][k]);
                assertArrayEquals(uncounted, counted, 0f, "counting changes no result");
                assertTrue(made[a][k] > 0, pair[0] + ": no constant counted");
            }
        }
        for (int a = 0; a < made.length; a++) {
            // four times the steps: a few more distinct values at most (APGD's checkpoints), not four times as many
            assertTrue(made[a][1] < 2 * made[a][0], "attack " + a + ": " + made[a][0] + " constants in 10 steps, "
                    + made[a][1] + " in 40");
        }
    }
}
