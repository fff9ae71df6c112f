package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import io.robustcl.ml.loss.CrossEntropyLoss;
import io.robustcl.ml.loss.NtXentLoss;
import io.robustcl.testing.CpuScope;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ObjectiveAttacksTest {

    @RegisterExtension final CpuScope cpu = new CpuScope();
    private TinyClassifier model;

    @BeforeEach
    void open() {
        model = new TinyClassifier(cpu.manager(), 32, 5);
    }

    /** The classifier's logits stand in for g(f(.)): a 2-d embedding. */
    private NDArray embed(NDArray x) {
        return model.logits(x);
    }

    @Test
    void instanceWiseAttackRaisesItsLossInsideTheBall() {
        Engine.getInstance().setRandomSeed(1);
        NDArray view = model.images;
        NDArray other = view.add(cpu.manager().randomUniform(-0.05f, 0.05f, view.getShape())).clip(0f, 1f);
        double eps = 0.0314;
        for (InstanceWiseAttack.Loss loss : InstanceWiseAttack.Loss.values()) {
            InstanceWiseAttack attack = new InstanceWiseAttack(PgdAttack.linf(eps, 0.007, 7), loss, 0.5);
            NDArray target = InstanceWiseAttack.View.T_PRIME.select(model.images, view, other);
            NDArray adv = attack.perturb(view, target, this::embed, model.parameters(), new SplittableRandom(1));
            assertTrue(adv.sub(view).abs().max().getFloat() <= eps + 1e-6);
            assertTrue(adv.min().getFloat() >= 0f && adv.max().getFloat() <= 1f);
            AttackObjective objective = attack.objective(embed(target), this::embed);
            float before = objective.losses(view).sum().getFloat();
            float after = objective.losses(adv).sum().getFloat();
            assertTrue(after > before, loss + ": " + before + " -> " + after);
        }
        // the contrastive objective is NT-Xent over (z_adv, z') with the batch as negatives
        InstanceWiseAttack contrastive = new InstanceWiseAttack(PgdAttack.linf(eps, 0.007, 1), InstanceWiseAttack.Loss.CONTRASTIVE, 0.5);
        NDArray zTarget = embed(other);
        float objectiveMean = contrastive.objective(zTarget, this::embed).losses(view).mean().getFloat();
        float reference = new NtXentLoss(0.5).loss(ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(embed(view), zTarget)), 2).getFloat();
        assertEquals(reference, objectiveMean, 1e-5);
    }

    @Test
    void jointContrastiveAttackMovesBothViewsAndBeatsTheOneSidedAttack() {
        NDArray view = model.images;
        NDArray other = view.add(cpu.manager().randomUniform(-0.05f, 0.05f, view.getShape())).clip(0f, 1f);
        long n = view.getShape().get(0);
        double eps = 0.0314;
        NDArray stacked = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(view, other));
        NDArray adv = new JointContrastiveAttack(PgdAttack.linf(eps, 0.007, 7), 0.5)
                .perturb(stacked, this::embed, model.parameters(), new SplittableRandom(3));
        assertEquals(stacked.getShape(), adv.getShape());
        assertTrue(adv.sub(stacked).abs().max().getFloat() <= eps + 1e-6);
        // eq. 5: both views are perturbed, not one against the other held fixed
        assertTrue(adv.get("0:{}", n).sub(view).abs().max().getFloat() > eps / 2);
        assertTrue(adv.get("{}:", n).sub(other).abs().max().getFloat() > eps / 2);
        NtXentLoss ntXent = new NtXentLoss(0.5);
        float clean = ntXent.loss(embed(stacked), 2).getFloat();
        float joint = ntXent.loss(embed(adv), 2).getFloat();
        NDArray oneSided = new InstanceWiseAttack(PgdAttack.linf(eps, 0.007, 7), InstanceWiseAttack.Loss.CONTRASTIVE, 0.5)
                .perturb(view, other, this::embed, model.parameters(), new SplittableRandom(3));
        float separate = ntXent.loss(embed(ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(oneSided, other))), 2)
                .getFloat();
        assertTrue(joint > clean, clean + " -> " + joint);
        assertTrue(joint > separate, "joint " + joint + " vs one-sided " + separate);
    }

    @Test
    void eotAveragesTheInnerObjectiveOverDraws() {
        AttackObjective inner = model.objective();
        // a deterministic "augmentation" cycling through brightness scalings
        float[] scales = {1.0f, 0.9f, 0.8f};
        int[] call = {0};
        UnaryOperator<NDArray> augmentation = x -> x.mul(scales[call[0]++ % 3]);
        NDArray eot = new ExpectationOverTransformation(inner, augmentation, 3).losses(model.images);
        NDArray expected = inner.losses(model.images).add(inner.losses(model.images.mul(0.9f)))
                .add(inner.losses(model.images.mul(0.8f))).div(3f);
        assertArrayEquals(expected.toFloatArray(), eot.toFloatArray(), 1e-5f);
        // and EoT-PGD with a random flip-like augmentation still produces a valid, stronger example
        UnaryOperator<NDArray> noise = x -> x.add(x.getManager().randomUniform(-0.02f, 0.02f, x.getShape()));
        AttackObjective objective = new ExpectationOverTransformation(inner, noise, 4);
        NDArray adv = PgdAttack.linf(0.15, 0.04, 8).perturb(model.images, objective, model.parameters(), new SplittableRandom(2));
        assertTrue(adv.sub(model.images).abs().max().getFloat() <= 0.15f + 1e-6f);
        assertTrue(model.accuracy(adv) < model.accuracy(model.images) - 0.3);
    }

    @Test
    void smoothedObjectiveIsMinusLogOfMeanProbability() {
        // identity noise: -log mean_i softmax = cross-entropy
        SmoothedClassifierAttack identity = new SmoothedClassifierAttack(model::logits, x -> x, model.labels, 2, 4);
        assertArrayEquals(new CrossEntropyLoss().perSample(model.logits(model.images), model.labels).toFloatArray(),
                identity.losses(model.images).toFloatArray(), 1e-4f);
        // alternating noise: compare with the formula computed from the two noisy inputs
        int[] call = {0};
        UnaryOperator<NDArray> alternating = x -> x.add(call[0]++ % 2 == 0 ? 0.1f : -0.1f).clip(0f, 1f);
        SmoothedClassifierAttack smoothed = new SmoothedClassifierAttack(model::logits, alternating, model.labels, 2, 2);
        float[] losses = smoothed.losses(model.images).toFloatArray();
        NDArray up = model.logits(model.images.add(0.1f).clip(0f, 1f)).softmax(1);
        NDArray down = model.logits(model.images.add(-0.1f).clip(0f, 1f)).softmax(1);
        float[] pUp = up.toFloatArray();
        float[] pDown = down.toFloatArray();
        int[] y = model.labels.toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        for (int n = 0; n < y.length; n++) {
            double expected = -Math.log((pUp[2 * n + y[n]] + pDown[2 * n + y[n]]) / 2);
            assertEquals(expected, losses[n], 1e-4);
        }
        // PGD on the smoothed objective with RUSH's uniform noise lowers the smoothed accuracy
        UnaryOperator<NDArray> uniform = x -> x.add(x.getManager().randomUniform(-0.3f, 0.3f, x.getShape()));
        SmoothedClassifierAttack rush = new SmoothedClassifierAttack(model::logits, uniform, model.labels, 2, 8);
        NDArray adv = PgdAttack.linf(0.15, 0.04, 8).perturb(model.images, rush, model.parameters(), new SplittableRandom(3));
        double before = 1 - rush.fooled(model.images).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mean().getFloat();
        double after = 1 - rush.fooled(adv).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mean().getFloat();
        assertTrue(after < before - 0.2, before + " -> " + after);
    }
}
