package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.EngineDraws;
import io.robustcl.ml.device.GradientTape;
import java.util.random.RandomGenerator;

/**
 * Targeted FAB, FAB-T (Croce &amp; Hein 2020, "Minimally distorted adversarial examples with a fast
 * adaptive boundary attack", alg. 1; AutoAttack's third attack), which looks for the smallest
 * l_p perturbation that changes the decision, towards one target class at a time:
 *
 * <ul>
 *   <li>linearise f_t - f_y at the current point x^i: the boundary is approximated by the
 *       hyperplane {z : g . (z - x^i) + f_t - f_y = 0}, g = grad (f_t - f_y);
 *   <li>project both x^i and the original x onto it ({@link HyperplaneProjection}, inside the
 *       box): d_i and d_0;
 *   <li>step x^{i+1} = clip((1 - a)(x^i + eta d_i) + a (x + eta d_0)) with
 *       a = min(||d_i|| / (||d_i|| + ||d_0||), alpha_max): the extrapolation eta overshoots the
 *       boundary, the bias a keeps the iterate close to x;
 *   <li>when x^{i+1} is misclassified, keep it if it is the smallest so far and step back:
 *       x^{i+1} = x + beta (x^{i+1} - x).
 * </ul>
 *
 * The targets are the classes ranked 2nd, 3rd, ... by the clean logits; for each target the attack
 * runs {@code restarts} times, each run on the points not yet broken within eps. A point counts as
 * broken when the smallest adversarial example found has norm <= eps. The first run of a target
 * starts at x; every later one, as in AutoAttack's reference code, at x + eps/2 t / ||t||_p clipped
 * to the box, t uniform in [-1, 1]^D (l_inf) or standard normal (l_2, l_1). AutoAttack's standard
 * version runs FAB-T with one restart; its "plus" version with five.
 *
 * @param norm the norm minimised
 * @param eps the threat radius deciding success
 * @param iterations per target (100)
 * @param targets target classes (9)
 * @param restarts runs per target, the first from x, the others from random starts (standard: 1)
 * @param alphaMax bias bound (0.1)
 * @param eta overshoot (1.05)
 * @param beta backward step (0.9)
 * @param scalars makes the constants of each call on the inputs' device (see {@link DeviceScalars});
 *     uncounted unless a test passes a counting one
 */
public record FabAttack(Norm norm, double eps, int iterations, int targets, int restarts, double alphaMax,
        double eta, double beta, DeviceScalars scalars) implements ClassifierAttack {

    public FabAttack {
        if (!(eps > 0) || iterations < 1 || targets < 1 || restarts < 1) {
            throw new IllegalArgumentException("FAB-T: eps > 0, iterations >= 1, targets >= 1 and restarts >= 1"
                    + " required, got " + eps + ", " + iterations + ", " + targets + ", " + restarts);
        }
        if (!(alphaMax >= 0 && alphaMax <= 1) || !(eta >= 1) || !(beta > 0 && beta < 1)) {
            throw new IllegalArgumentException("FAB-T: need 0 <= alpha_max <= 1, eta >= 1, 0 < beta < 1, got "
                    + alphaMax + ", " + eta + ", " + beta);
        }
    }

    /** An attack whose constants go uncounted. */
    public FabAttack(Norm norm, double eps, int iterations, int targets, int restarts, double alphaMax, double eta,
            double beta) {
        this(norm, eps, iterations, targets, restarts, alphaMax, eta, beta, DeviceScalars.uncounted());
    }

    /** AutoAttack's FAB-T: 100 iterations, 9 targets, 1 restart, alpha_max 0.1, eta 1.05, beta 0.9. */
    public static FabAttack targeted(Norm norm, double eps) {
        return new FabAttack(norm, eps, 100, 9, 1, 0.1, 1.05, 0.9);
    }

    public FabAttack withIterations(int n) {
        return new FabAttack(norm, eps, n, targets, restarts, alphaMax, eta, beta, scalars);
    }

    public FabAttack withTargets(int n) {
        return new FabAttack(norm, eps, iterations, n, restarts, alphaMax, eta, beta, scalars);
    }

    public FabAttack withRestarts(int n) {
        return new FabAttack(norm, eps, iterations, targets, n, alphaMax, eta, beta, scalars);
    }

    /** This attack with its constants made through {@code through} (a counting hook in tests). */
    public FabAttack withScalars(DeviceScalars through) {
        return new FabAttack(norm, eps, iterations, targets, restarts, alphaMax, eta, beta, through);
    }

    @Override
    public NDArray perturb(AttackedClassifier model, NDArray x, NDArray labels, RandomGenerator random) {
        InputRange.requireUnitBox(x, "FAB-T");
        NDManager outer = x.getManager();
        int targetCount = Math.min(targets, model.classes() - 1);
        try (FrozenParameters frozen = FrozenParameters.freeze(model.parameters());
                NDManager attack = outer.newSubManager()) {
            Scalars constants = new Scalars(scalars, attack, x);
            SampleRows rows = SampleRows.of(x, labels, model, attack);
            rows.rounds(targetCount, restarts, attack, (rank, restart, xs, ys, subShape, round) -> {
                Found found = search(model, xs, ys, subShape, rank, restart > 0, random, constants, round);
                NDArray within = found.norms.lte(constants.of((float) eps));
                return new SampleRows.Outcome(within, found.points);
            });
            return rows.result(outer);
        }
    }

    /**
     * The smallest perturbation norm FAB-T finds per sample over all targets and restarts, without
     * the eps bound (+inf where no run succeeded; 0 where x is already misclassified); every run on
     * every point.
     */
    public float[] minimalNorms(AttackedClassifier model, NDArray x, NDArray labels, RandomGenerator random) {
        InputRange.requireUnitBox(x, "FAB-T");
        Shape shape = x.getShape();
        int n = Math.toIntExact(shape.get(0));
        float[] best = new float[n];
        java.util.Arrays.fill(best, Float.POSITIVE_INFINITY);
        try (FrozenParameters frozen = FrozenParameters.freeze(model.parameters());
                NDManager attack = x.getManager().newSubManager()) {
            NDArray flat = x.reshape(n, -1);
            flat.attach(attack);
            NDArray labels64 = labels.toType(DataType.INT64, true);
            labels64.attach(attack);
            Scalars constants = new Scalars(scalars, attack, x);
            boolean[] correct = model.logitsOf(x).argMax(1).eq(labels64).toBooleanArray();
            for (int t = 0; t < Math.min(targets, model.classes() - 1); t++) {
                for (int r = 0; r < restarts; r++) {
                    try (NDManager round = attack.newSubManager()) {
                        flat.tempAttach(round);
                        labels64.tempAttach(round);
                        float[] norms = search(model, flat, labels64, shape, t + 2, r > 0, random, constants, round)
                                .norms.toFloatArray();
                        for (int i = 0; i < n; i++) {
                            best[i] = correct[i] ? Math.min(best[i], norms[i]) : 0f;
                        }
                    }
                }
            }
        }
        return best;
    }

    /** Smallest adversarial points found (n, D), x where none, and their norms (+inf where none). */
    private record Found(NDArray points, NDArray norms) {}

    private enum Slot { CURRENT, BEST, BEST_NORM }

    /** One run towards the class ranked {@code rank} by the clean logits, from x or from a random start. */
    private Found search(AttackedClassifier model, NDArray xs, NDArray ys, Shape subShape, int rank,
            boolean fromRandom, RandomGenerator random, Scalars scalars, NDManager round) {
        long n = xs.getShape().get(0);
        NDArray labelHot;
        NDArray targetHot;
        try (NDManager scope = round.newSubManager()) {
            xs.tempAttach(scope);
            ys.tempAttach(scope);
            NDArray logits = model.logitsOf(xs.reshape(subShape));
            long classes = logits.getShape().get(1);
            NDArray target = logits.argSort(1).get(new NDIndex(":, {}", classes - rank));
            labelHot = MarginLoss.oneHot(ys, model.classes(), xs.getDataType());
            targetHot = MarginLoss.oneHot(target, model.classes(), xs.getDataType());
            labelHot.attach(round);
            targetHot.attach(round);
        }
        StepState<Slot> s = new StepState<>(round, Slot.class);
        NDArray infinity = scalars.of(Float.POSITIVE_INFINITY);
        s.set(Slot.CURRENT, fromRandom ? randomStart(xs, random, scalars, round) : xs.duplicate());
        s.set(Slot.BEST, xs.duplicate());
        s.set(Slot.BEST_NORM, ys.zerosLike().toType(xs.getDataType(), false).add(infinity));
        NDArray etaValue = scalars.of((float) eta);
        NDArray alphaBound = scalars.of((float) alphaMax);
        NDArray floor = scalars.of(1e-8f);
        NDArray zero = scalars.of(0f);
        NDArray one = scalars.of(1f);
        for (int i = 0; i < iterations; i++) {
            s.step(scope -> {
                xs.tempAttach(scope);
                ys.tempAttach(scope);
                labelHot.tempAttach(scope);
                targetHot.tempAttach(scope);
                NDArray current = s.get(Slot.CURRENT);
                // f_t - f_y and its input gradient at the current point
                NDArray leaf = current.reshape(subShape).duplicate();
                leaf.attach(scope);
                leaf.setRequiresGradient(true);
                NDArray difference;
                try (GradientTape tape = GradientTape.record()) {
                    NDArray logits = model.logitsOf(leaf);
                    difference = logits.mul(targetHot).sum(new int[] {1}).sub(logits.mul(labelHot).sum(new int[] {1}));
                    tape.backward(difference.sum());
                }
                NDArray gradient = leaf.getGradient().reshape(n, -1);
                gradient.attach(scope);
                difference = difference.stopGradient();
                // the linearised boundary g . z = g . x^i - (f_t - f_y)
                NDArray offset = gradient.mul(current).sum(new int[] {1}).sub(difference);
                NDArray fromCurrent = HyperplaneProjection.project(norm, current, gradient, offset, scalars);
                NDArray fromOrigin = HyperplaneProjection.project(norm, xs, gradient, offset, scalars);
                NDArray a1 = PerturbationBall.norms(fromCurrent, norm).maximum(floor).reshape(n, 1);
                NDArray a2 = PerturbationBall.norms(fromOrigin, norm).maximum(floor).reshape(n, 1);
                NDArray bias = a1.div(a1.add(a2)).minimum(alphaBound).maximum(zero);
                NDArray keep = bias.mul(scalars.of(-1f)).add(one);
                NDArray next = current.add(fromCurrent.mul(etaValue)).mul(keep)
                        .add(xs.add(fromOrigin.mul(etaValue)).mul(bias)).maximum(zero).minimum(one);
                NDArray adversarial = model.logitsOf(next.reshape(subShape)).argMax(1).neq(ys);
                NDArray distance = PerturbationBall.norms(next.sub(xs), norm);
                NDArray smaller = adversarial.logicalAnd(distance.lt(s.get(Slot.BEST_NORM)));
                s.set(Slot.BEST, ApgdAttack.rowsWhere(smaller, next, s.get(Slot.BEST)));
                s.set(Slot.BEST_NORM, ApgdAttack.rowsWhere(smaller, distance, s.get(Slot.BEST_NORM)));
                NDArray back = xs.add(next.sub(xs).mul(scalars.of((float) beta)));
                s.set(Slot.CURRENT, ApgdAttack.rowsWhere(adversarial, back, next));
            });
        }
        return new Found(s.get(Slot.BEST), s.get(Slot.BEST_NORM));
    }

    /** x + eps/2 t / ||t||_p in the box: t uniform in [-1, 1]^D for l_inf, standard normal for l_2 and l_1. */
    NDArray randomStart(NDArray xs, RandomGenerator random, Scalars scalars, NDManager round) {
        long n = xs.getShape().get(0);
        NDArray t = norm == Norm.LINF
                ? EngineDraws.uniform(round, random, -1f, 1f, xs.getShape(), xs.getDataType(), xs.getDevice())
                : EngineDraws.normal(round, random, 0f, 1f, xs.getShape(), xs.getDataType(), xs.getDevice());
        NDArray length = PerturbationBall.norms(t, norm).maximum(scalars.of(1e-12f)).reshape(n, 1);
        return xs.add(t.div(length).mul(scalars.of((float) (eps / 2)))).maximum(scalars.of(0f)).minimum(scalars.of(1f));
    }
}
