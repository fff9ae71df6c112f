package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.EngineDraws;
import io.robustcl.testing.CpuScope;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Piecewise-linear closed form, monotonicity, worst case, and the rand version under test-time noise. */
class AutoAttackPropertiesTest {

    @RegisterExtension final CpuScope cpu = new CpuScope();

    private static double ensembleAccuracy(AttackEnsemble ensemble, AttackedClassifier model, NDArray x, NDArray labels) {
        boolean[] robust = model.logitsOf(x).argMax(1).eq(labels.toType(DataType.INT64, false)).toBooleanArray();
        ensemble.run(model, x, labels, robust, 0, SplittableRandom::new, (k, flags) -> {});
        return (double) AttackEnsemble.indices(robust).length / robust.length;
    }

    @Test
    void apgdReachesTheExactRobustAccuracyOfAPiecewiseLinearModel() {
        PolytopeModel model = new PolytopeModel(cpu.manager(), 40, 2);
        for (Norm norm : new Norm[] {Norm.LINF, Norm.L2}) {
            double[] distances = model.distances(norm);
            double eps = LinearModel.clearEps(distances, 0.5);
            double exact = LinearModel.robustAccuracy(distances, eps);
            for (ApgdAttack attack : List.of(ApgdAttack.ce(norm, eps), ApgdAttack.dlr(norm, eps))) {
                NDArray adv = attack.perturb(model.classifier(), model.images, model.labels, new SplittableRandom(4));
                double found = RobustAccuracy.of(model.logits(adv), model.labels).accuracy();
                System.out.printf("closed form: polytope %s eps %.4f exact %.3f apgd-%s %.3f%n", norm, eps, exact,
                        attack.loss(), found);
                // a single run may follow a facet that is not the nearest: at most one point of 40 missed
                assertTrue(found >= exact - 1e-9 && found <= exact + 1.0 / 40 + 1e-9, norm + " " + attack.loss()
                        + ": " + found + " vs exact " + exact);
            }
            AttackEnsemble standard = AttackEnsemble.standard(norm, eps, new AttackEnsemble.Budget(100, 9, 100, 1000, 1),
                    FabAttack.targeted(norm, eps), SquareAttack.of(norm, eps).withQueries(1000));
            double ensemble = ensembleAccuracy(standard, model.classifier(), model.images, model.labels);
            System.out.printf("closed form: polytope %s eps %.4f exact %.3f autoattack %.3f%n", norm, eps, exact, ensemble);
            assertEquals(exact, ensemble, 1e-9, norm + ": the standard ensemble reaches the exact robust accuracy");
        }
    }

    @Test
    void ensembleIsMonotoneInEpsAndNeverWeakerThanItsParts() {
        LinearModel model = new LinearModel(cpu.manager(), 40, 10, 8);
        double[] distances = model.distances(Norm.LINF);
        double previous = 1;
        for (double q : new double[] {0.2, 0.5, 0.8}) {
            double eps = LinearModel.clearEps(distances, q);
            ApgdAttack ce = ApgdAttack.ce(Norm.LINF, eps).withIterations(30);
            ApgdAttack dlr = ApgdAttack.dlr(Norm.LINF, eps).withIterations(30);
            AttackEnsemble pair = new AttackEnsemble(List.of(new AttackEnsemble.Component("apgd-ce", ce),
                    new AttackEnsemble.Component("apgd-dlr", dlr)));
            double both = ensembleAccuracy(pair, model.classifier(), model.images, model.labelArray);
            double ceAlone = ensembleAccuracy(AttackEnsemble.of("ce", ce), model.classifier(), model.images, model.labelArray);
            double dlrAlone = ensembleAccuracy(AttackEnsemble.of("dlr", dlr), model.classifier(), model.images, model.labelArray);
            assertTrue(both <= ceAlone && both <= dlrAlone, "worst case " + both + " vs " + ceAlone + ", " + dlrAlone);
            assertTrue(both <= previous, "monotone in eps: " + both + " after " + previous);
            assertEquals(LinearModel.robustAccuracy(distances, eps), both, 1e-9, "exact at eps " + eps);
            previous = both;
        }
    }

    @Test
    void randVersionBreaksANoisyModelAndTheChecksSeeTheNoise() {
        LinearModel model = new LinearModel(cpu.manager(), 40, 10, 12);
        SplittableRandom noise = new SplittableRandom(3);
        // test-time randomness: Gaussian noise on the input, sigma 0.002
        AttackedClassifier noisy = new AttackedClassifier(x -> model.logits(x.add(EngineDraws.normal(x.getManager(),
                noise, 0f, 0.002f, x.getShape(), x.getDataType(), x.getDevice()))), List.of(), 10);
        double[] distances = model.distances(Norm.LINF);
        double eps = LinearModel.clearEps(distances, 0.5);
        double exact = LinearModel.robustAccuracy(distances, eps);
        AttackEnsemble rand = AttackEnsemble.rand(Norm.LINF, eps, new AttackEnsemble.Budget(30, 9, 10, 10, 5));
        double found = ensembleAccuracy(rand, noisy, model.images, model.labelArray);
        System.out.printf("closed form: rand (EoT 5, noise 0.002) LINF eps %.4f exact %.3f autoattack-rand %.3f%n", eps,
                exact, found);
        assertTrue(Math.abs(found - exact) <= 0.05 + 1e-9, "rand " + found + " vs exact " + exact);
        assertFalse(SanityCheck.deterministic(noisy, model.images).pass(), "noise is detected");
        assertTrue(SanityCheck.deterministic(model.classifier(), model.images).pass());
        assertTrue(SanityCheck.returnsLogits(model.classifier(), model.images).pass());
        assertFalse(SanityCheck.returnsLogits(new AttackedClassifier(x -> model.logits(x).softmax(1), List.of(), 10),
                model.images).pass(), "softmax outputs are flagged");
        AttackedClassifier flat = new AttackedClassifier(x -> model.logits(x.round()), List.of(), 10);
        assertFalse(SanityCheck.gradientNonZero(flat, model.images, model.labelArray).pass(), "masked gradient flagged");
    }
}
