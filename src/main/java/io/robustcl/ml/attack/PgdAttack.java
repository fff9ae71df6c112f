package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Projected gradient ascent (Madry et al., 2018; RoCL eq. 1) on an {@link AttackObjective}, in an
 * l_inf, l_2 or l_1 ball of radius eps around inputs x in [0,1]:
 *
 * <pre>
 *   x^0     = Proj(x + u),  u uniform in the ball (if randomStart) else x
 *   x^{i+1} = Proj_{B(x, eps) ∩ [0,1]^D}( x^i + alpha * s(grad_{x^i} sum_n L_n(x^i)) )
 * </pre>
 *
 * with s = sign (l_inf), g / ||g||_2 per sample (l_2), and for l_1 the sparse steepest-ascent
 * direction: sign(g) on the top {@code l1TopFraction} of coordinates by |g| (coordinates pushing
 * out of the box excluded), normalised to unit l_1 norm so that the l_1 step is alpha. The l_1
 * projection is exact onto ball ∩ box ({@link L1BoxProjection}). With {@code restarts > 1} the
 * attack is repeated from fresh random starts and, per sample, the worst case is kept: a result
 * that fools the model (when the objective defines {@link AttackObjective#fooled}) beats one that
 * does not, otherwise the higher loss wins. Each run returns its last iterate.
 *
 * <p>Model hygiene: the objective evaluates the model in inference mode; during the attack the
 * given parameter arrays have their gradients switched off ({@link FrozenParameters}) and their
 * flags are restored afterwards; parameter values and accumulated gradients are not touched.
 * Every step differentiates a fresh leaf copy of the input, so no gradient is ever accumulated
 * or needs zeroing, and every step's temporaries live in a sub-manager closed at the end of the
 * step. Input gradients come from a {@link io.robustcl.ml.device.GradientTape}, so an attack may run
 * inside a training step's recording and on several threads at once. Random starts come from the
 * caller's generator through {@link io.robustcl.ml.device.EngineDraws}.
 *
 * @param norm the ball's norm
 * @param eps radius, >= 0 (e.g. 8/255 l_inf, 0.5 l_2, 12 l_1)
 * @param stepSize alpha, > 0
 * @param steps iterations, >= 0
 * @param randomStart whether to start uniformly in the ball
 * @param restarts independent runs, >= 1 (worst case kept per sample)
 * @param l1TopFraction fraction in (0, 1] of coordinates an l_1 step updates (0.05 = top 5%,
 *     advertorch's sparsity 0.95); ignored for the other norms
 * @param scalars makes the ball's constants (eps, alpha, 0, 1, ...) on the inputs' device, once per
 *     {@link #perturb} call: Java-number operands would make about nine device scalars per l_inf step
 *     (see {@link DeviceScalars}); uncounted unless a test passes a counting one
 */
public record PgdAttack(
        Norm norm, double eps, double stepSize, int steps, boolean randomStart, int restarts,
        double l1TopFraction, DeviceScalars scalars) implements Attack {

    /** The default l_1 sparsity: update the top 5% of coordinates. */
    public static final double DEFAULT_L1_TOP_FRACTION = 0.05;

    public PgdAttack {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("PGD: eps must be a finite number >= 0, got " + eps);
        }
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
            throw new IllegalArgumentException("PGD: step size must be a finite number > 0, got " + stepSize);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("PGD: steps must be >= 0, got " + steps);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("PGD: restarts must be >= 1, got " + restarts);
        }
        if (!(l1TopFraction > 0 && l1TopFraction <= 1)) {
            throw new IllegalArgumentException("PGD: l1TopFraction must be in (0, 1], got " + l1TopFraction);
        }
    }

    /** An attack whose constants go uncounted. */
    public PgdAttack(Norm norm, double eps, double stepSize, int steps, boolean randomStart, int restarts,
            double l1TopFraction) {
        this(norm, eps, stepSize, steps, randomStart, restarts, l1TopFraction, DeviceScalars.uncounted());
    }

    /** PGD l_inf with a random start and one run. */
    public static PgdAttack linf(double eps, double stepSize, int steps) {
        return new PgdAttack(Norm.LINF, eps, stepSize, steps, true, 1, DEFAULT_L1_TOP_FRACTION);
    }

    /** PGD l_2 with a random start and one run. */
    public static PgdAttack l2(double eps, double stepSize, int steps) {
        return new PgdAttack(Norm.L2, eps, stepSize, steps, true, 1, DEFAULT_L1_TOP_FRACTION);
    }

    /** PGD l_1 (sparse steepest ascent, top 5%) with a random start and one run. */
    public static PgdAttack l1(double eps, double stepSize, int steps) {
        return new PgdAttack(Norm.L1, eps, stepSize, steps, true, 1, DEFAULT_L1_TOP_FRACTION);
    }

    public PgdAttack withSteps(int newSteps) {
        return new PgdAttack(norm, eps, stepSize, newSteps, randomStart, restarts, l1TopFraction, scalars);
    }

    public PgdAttack withRandomStart(boolean start) {
        return new PgdAttack(norm, eps, stepSize, steps, start, restarts, l1TopFraction, scalars);
    }

    public PgdAttack withRestarts(int runs) {
        return new PgdAttack(norm, eps, stepSize, steps, randomStart, runs, l1TopFraction, scalars);
    }

    /** This attack with its constants made through {@code through} (a counting hook in tests). */
    public PgdAttack withScalars(DeviceScalars through) {
        return new PgdAttack(norm, eps, stepSize, steps, randomStart, restarts, l1TopFraction, through);
    }

    public PgdAttack withL1TopFraction(double fraction) {
        return new PgdAttack(norm, eps, stepSize, steps, randomStart, restarts, fraction, scalars);
    }

    @Override
    public NDArray perturb(NDArray x, AttackObjective objective, Iterable<NDArray> parameters, RandomGenerator random) {
        InputRange.requireUnitBox(x, "PGD");
        NDManager outer = x.getManager();
        Shape shape = x.getShape();
        long n = shape.get(0);
        try (FrozenParameters frozen = FrozenParameters.freeze(parameters);
                NDManager attack = outer.newSubManager()) {
            NDArray flat = x.reshape(n, -1);
            flat.attach(attack);
            PerturbationBall ball = new PerturbationBall(norm, eps, l1TopFraction,
                    PerturbationBall.Constants.of(scalars, attack, flat, eps, stepSize));
            NDArray best = run(flat, shape, objective, ball, attack, random);
            if (restarts > 1) {
                Candidate worst = Candidate.evaluate(best, shape, objective, attack);
                for (int r = 1; r < restarts; r++) {
                    NDArray next = run(flat, shape, objective, ball, attack, random);
                    Candidate challenger = Candidate.evaluate(next, shape, objective, attack);
                    worst = worst.keepWorse(challenger, attack);
                }
                best = worst.input();
            }
            NDArray result = best.reshape(shape);
            result.attach(outer);
            return result;
        }
    }

    /** One PGD run from a (random) start; the result is attached to {@code attack}. */
    private NDArray run(NDArray flat, Shape shape, AttackObjective objective, PerturbationBall ball, NDManager attack,
            RandomGenerator random) {
        NDArray current;
        try (NDManager start = attack.newSubManager()) {
            flat.tempAttach(start);
            current = randomStart ? ball.project(flat, ball.randomDelta(flat, random)) : flat.duplicate();
            current.attach(attack);
        }
        for (int i = 0; i < steps; i++) {
            NDArray next;
            try (NDManager step = attack.newSubManager()) {
                // every operand temporarily in the step scope, so every temporary is freed with it
                flat.tempAttach(step);
                current.tempAttach(step);
                NDArray gradient = InputGradient.of(current, shape, objective, step);
                NDArray ascended = current.add(ball.ascentDirection(gradient, current).mul(ball.alpha()));
                next = ball.project(flat, ascended.sub(flat));
                next.attach(attack);
            }
            current.close();
            current = next;
        }
        return current;
    }

    /** A candidate adversarial batch with its per-sample loss and fooled flags. */
    private record Candidate(NDArray input, NDArray losses, @Nullable NDArray fooled) {

        static Candidate evaluate(NDArray flat, Shape shape, AttackObjective objective, NDManager attack) {
            try (NDManager scope = attack.newSubManager()) {
                NDArray input = flat.reshape(shape);
                input.attach(scope);
                NDArray losses = objective.losses(input).reshape(-1);
                @Nullable NDArray fooled = objective.fooled(input);
                losses.attach(attack);
                if (fooled != null) {
                    fooled = fooled.reshape(-1).toType(DataType.BOOLEAN, false);
                    fooled.attach(attack);
                }
                return new Candidate(flat, losses, fooled);
            }
        }

        /**
         * Per sample, the worse case for the model (fooled first, then higher loss); closes the
         * arrays of both inputs that the merged candidate does not reuse.
         */
        Candidate keepWorse(Candidate other, NDManager attack) {
            Candidate merged;
            try (NDManager scope = attack.newSubManager()) {
                this.tempAttach(scope);
                other.tempAttach(scope);
                NDArray takeOther = other.losses.gt(losses);
                NDArray mergedFooled = null;
                if (fooled != null && other.fooled != null) {
                    NDArray sameOutcome = other.fooled.eq(fooled);
                    takeOther = other.fooled.logicalAnd(fooled.logicalNot())
                            .logicalOr(sameOutcome.logicalAnd(takeOther));
                    mergedFooled = NDArrays.where(takeOther, other.fooled, fooled);
                    mergedFooled.attach(attack);
                }
                long n = losses.getShape().get(0);
                NDArray rows = takeOther.reshape(n, 1).broadcast(this.input.getShape());
                NDArray input = NDArrays.where(rows, other.input, this.input);
                NDArray mergedLosses = NDArrays.where(takeOther, other.losses, losses);
                input.attach(attack);
                mergedLosses.attach(attack);
                merged = new Candidate(input, mergedLosses, mergedFooled);
            }
            this.close();
            other.close();
            return merged;
        }

        private void tempAttach(NDManager scope) {
            input.tempAttach(scope);
            losses.tempAttach(scope);
            if (fooled != null) {
                fooled.tempAttach(scope);
            }
        }

        private void close() {
            input.close();
            losses.close();
            if (fooled != null) {
                fooled.close();
            }
        }
    }
}
