package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.DeviceScalars;
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

    @Test
    void fabRestartsStartAtHalfEpsNeverWeakenItAndStayValid() {
        LinearModel model = new LinearModel(cpu.manager(), 30, 10, 3);
        for (Norm norm : Norm.values()) {
            double[] exact = model.distances(norm);
            double eps = LinearModel.clearEps(exact, 0.5);
            // the random start of a restart: at eps/2 from x in the attack's norm (the points sit in [0.3, 0.7], so
            // the box does not cut it at these radii), a fresh direction per draw
            FabAttack fab = FabAttack.targeted(norm, eps).withIterations(10).withTargets(3).withRestarts(3);
            NDArray flat = model.images.reshape(model.images.getShape().get(0), -1);
            Scalars scalars = new Scalars(DeviceScalars.uncounted(), cpu.manager(), flat);
            SplittableRandom draws = new SplittableRandom(1);
            NDArray a = fab.randomStart(flat, draws, scalars, cpu.manager());
            NDArray b = fab.randomStart(flat, draws, scalars, cpu.manager());
            for (float distance : PerturbationBall.norms(a.sub(flat), norm).toFloatArray()) {
                assertEquals(eps / 2, distance, 1e-5 * eps, norm + ": start at eps/2");
            }
            assertTrue(a.sub(b).abs().max().getFloat() > 0, norm + ": every draw a new start");

            // more runs per target: the first starts at x as with one, so the minimal norms can only fall, and no
            // run may report a norm below the true minimum
            FabAttack once = FabAttack.targeted(norm, 1.0).withIterations(3).withTargets(2);
            float[] first = once.minimalNorms(model.classifier(), model.images, model.labelArray, new SplittableRandom(0));
            float[] more = once.withRestarts(3).minimalNorms(model.classifier(), model.images, model.labelArray,
                    new SplittableRandom(0));
            for (int i = 0; i < exact.length; i++) {
                assertTrue(more[i] <= first[i], norm + " point " + i + ": " + more[i] + " > " + first[i]);
                if (exact[i] > 0 && exact[i] < Double.POSITIVE_INFINITY) {
                    assertTrue(more[i] >= exact[i] * (1 - 1e-4), norm + ": below the minimal norm at " + i);
                }
            }

            // as an attack: every example is x or misclassified within eps, in the box, and it reaches the closed form
            NDArray adv = fab.perturb(model.classifier(), model.images, model.labelArray, new SplittableRandom(5));
            float[] predicted = model.logits(adv).argMax(1).toType(DataType.FLOAT32, false).toFloatArray();
            float[] norms = PerturbationBall.norms(adv.sub(model.images), norm).toFloatArray();
            for (int i = 0; i < norms.length; i++) {
                assertTrue(norms[i] == 0 || (norms[i] <= eps * (1 + 1e-5) && predicted[i] != model.labels[i]),
                        norm + " point " + i + ": norm " + norms[i] + " at eps " + eps);
            }
            assertTrue(adv.min().getFloat() >= 0 && adv.max().getFloat() <= 1, "in the box");
            assertEquals(LinearModel.robustAccuracy(exact, eps), RobustAccuracy.of(model.logits(adv), model.labelArray)
                    .accuracy(), 1e-9, norm + ": FAB-T with restarts reaches the exact robust accuracy");
        }
    }
}
