package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.robustcl.testing.CpuScope;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks against {@link LinearModel}, whose exact robust accuracy is known: no attack may go
 * below it (that would mean leaving the ball), and the strong ones must reach it.
 */
class ClosedFormAttackTest {

    @RegisterExtension final CpuScope cpu = new CpuScope();

    private static double accuracy(LinearModel model, NDArray adv) {
        return RobustAccuracy.of(model.logits(adv), model.labelArray).accuracy();
    }

    private static void report(String what, Norm norm, double eps, double exact, double found) {
        System.out.printf("closed form: %-8s %-4s eps %.4f exact %.3f attack %.3f%n", what, norm, eps, exact, found);
    }

    @Test
    void apgdReachesTheExactRobustAccuracy() {
        LinearModel model = new LinearModel(cpu.manager(), 100, 10, 3);
        for (Norm norm : new Norm[] {Norm.LINF, Norm.L2}) {
            double[] distances = model.distances(norm);
            double eps = LinearModel.clearEps(distances, 0.5);
            double exact = LinearModel.robustAccuracy(distances, eps);
            ApgdAttack[] attacks = {ApgdAttack.ce(norm, eps), ApgdAttack.dlr(norm, eps), ApgdAttack.targeted(norm, eps)};
            for (ApgdAttack attack : attacks) {
                NDArray adv = attack.perturb(model.classifier(), model.images, model.labelArray, new SplittableRandom(1));
                double found = accuracy(model, adv);
                report("apgd-" + attack.loss(), norm, eps, exact, found);
                float largest = PerturbationBall.norms(adv.sub(model.images), norm).max().getFloat();
                assertTrue(largest <= eps * (1 + 1e-5), "inside the ball: " + largest + " > " + eps);
                assertTrue(found >= exact - 1e-9, attack + " beat the exact minimum: " + found + " < " + exact);
                assertTrue(found <= exact + 0.02, attack + ": " + found + " vs exact " + exact);
            }
        }
    }
}
