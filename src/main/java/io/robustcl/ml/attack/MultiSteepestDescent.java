package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Multi steepest descent (MSD; Maini, Wong and Kolter, "Adversarial robustness against the union of
 * multiple perturbation models", ICML 2020, Algorithm 2), the inner maximisation of UPAT's
 * "Robust-Union" baseline. From delta = 0, every iteration takes one input gradient and, for each
 * threat model p in {l_inf, l_2, l_1}, the steepest-ascent step of that norm projected onto its own
 * ball (and the [0,1] box); per sample the candidate with the highest loss becomes the next iterate:
 *
 * <pre>
 *   delta_p = Proj_{B_p(eps_p)}( delta + alpha_p s_p(grad) ),   delta <- argmax_p L(x + delta_p)
 * </pre>
 *
 * The result lies in the union of the three balls. The l_1 step is the sparse steepest ascent of
 * {@link PgdAttack} (top fraction of coordinates by |grad|). Maini et al.'s CIFAR-10 settings:
 * eps 0.03 / 0.5 / 12, alpha 0.003 / 0.02 / 1.0, 50 iterations ({@link #cifar}).
 *
 * @param balls the threat models, each with its radius and step size
 * @param steps iterations, >= 0
 */
public record MultiSteepestDescent(List<ThreatModel> balls, int steps) implements Attack {

    /**
     * One l_p threat model of the union.
     *
     * @param eps radius
     * @param stepSize alpha_p
     * @param l1TopFraction for l_1, the fraction of coordinates a step updates
     */
    public record ThreatModel(Norm norm, double eps, double stepSize, double l1TopFraction) {
        public ThreatModel {
            if (!(eps >= 0) || !(stepSize > 0)) {
                throw new IllegalArgumentException("MSD: " + norm + " needs eps >= 0 and a step > 0, got " + eps + ", "
                        + stepSize);
            }
        }
    }

    public MultiSteepestDescent {
        balls = List.copyOf(balls);
        if (balls.isEmpty() || steps < 0) {
            throw new IllegalArgumentException("MSD: needs at least one threat model and steps >= 0");
        }
    }

    /** Maini et al.'s CIFAR-10 union: l_inf 0.03 (alpha 0.003), l_2 0.5 (0.02), l_1 12 (1.0). */
    public static MultiSteepestDescent cifar(int steps) {
        return new MultiSteepestDescent(List.of(
                new ThreatModel(Norm.LINF, 0.03, 0.003, PgdAttack.DEFAULT_L1_TOP_FRACTION),
                new ThreatModel(Norm.L2, 0.5, 0.02, PgdAttack.DEFAULT_L1_TOP_FRACTION),
                new ThreatModel(Norm.L1, 12, 1.0, PgdAttack.DEFAULT_L1_TOP_FRACTION)), steps);
    }

    @Override
    public NDArray perturb(NDArray x, AttackObjective objective, Iterable<NDArray> parameters, RandomGenerator random) {
        InputRange.requireUnitBox(x, "MSD");
        NDManager outer = x.getManager();
        Shape shape = x.getShape();
        long n = shape.get(0);
        try (FrozenParameters frozen = FrozenParameters.freeze(parameters);
                NDManager attack = outer.newSubManager()) {
            NDArray flat = x.reshape(n, -1);
            flat.attach(attack);
            // each ball's constants (radius and step among them) made once for all steps
            List<PerturbationBall> geometry = balls.stream()
                    .map(b -> new PerturbationBall(b.norm(), b.eps(), b.l1TopFraction(), PerturbationBall.Constants.of(
                            DeviceScalars.uncounted(), attack, flat, b.eps(), b.stepSize())))
                    .toList();
            NDArray current = flat.duplicate();
            for (int i = 0; i < steps; i++) {
                NDArray next;
                try (NDManager step = attack.newSubManager()) {
                    flat.tempAttach(step);
                    current.tempAttach(step);
                    NDArray gradient = InputGradient.of(current, shape, objective, step);
                    NDArray best = null;
                    NDArray bestLoss = null;
                    for (int b = 0; b < balls.size(); b++) {
                        PerturbationBall ball = geometry.get(b);
                        NDArray ascended = current.add(ball.ascentDirection(gradient, current).mul(ball.alpha()));
                        NDArray candidate = ball.project(flat, ascended.sub(flat));
                        NDArray loss = objective.losses(candidate.reshape(shape)).stopGradient().reshape(-1);
                        if (best == null) {
                            best = candidate;
                            bestLoss = loss;
                        } else {
                            NDArray better = loss.gt(bestLoss);
                            best = NDArrays.where(better.reshape(n, 1).broadcast(candidate.getShape()), candidate, best);
                            bestLoss = NDArrays.where(better, loss, bestLoss);
                        }
                    }
                    next = best;
                    next.attach(attack);
                }
                current.close();
                current = next;
            }
            NDArray result = current.reshape(shape);
            result.attach(outer);
            return result;
        }
    }
}
