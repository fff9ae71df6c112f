package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.EngineDraws;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Auto-PGD (Croce &amp; Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble
 * of diverse parameter-free attacks", alg. 1), as AutoAttack's reference code runs it, and its
 * l_1 version from "Mind the box" (Croce &amp; Hein 2021):
 *
 * <ul>
 *   <li>start: a random point of the ball's boundary (l_inf, l_2) or the projection of x + N(0, I)
 *       onto ball ∩ box (l_1); step eta = 2 eps (l_inf, l_2), eps (l_1);
 *   <li>l_inf / l_2 step (eq. 2): z = P(x_k + eta s(grad)), x_{k+1} = P(x_k + 0.75 (z - x_k) +
 *       0.25 (x_k - x_{k-1})), without momentum in the first step;
 *   <li>checkpoints after 22% of the iterations, then at intervals shrinking by 3% of them down
 *       to 6% (w_{j+1} = w_j + max(w_j - w_{j-1} - 0.03, 0.06)); at a checkpoint the step is halved
 *       and the search restarts from the best point when at most rho = 0.75 of the steps since the
 *       last checkpoint raised the loss, or when the step was not halved last time and the best
 *       loss did not improve;
 *   <li>l_1 ("Mind the box", sec. 3): the step moves along sign(g) on the top-k coordinates of
 *       |g| (k starting at 20% of them), normalised in l_1, then projects exactly onto ball ∩ box
 *       ({@link L1BoxProjection}); every 4% of the iterations k follows the sparsity of the best
 *       point (k = ||x_best - x||_0 / 1.5), and the step is reset to eps when that sparsity fell by
 *       more than 5%, else divided by 1.5 (at least eps/10); with {@code l1EpsSchedule} the run is
 *       split over radii 3 eps, 2 eps, eps for 30/30/40% of the iterations, each phase starting from
 *       the previous one's best point;
 *   <li>losses: {@link MarginLoss}; with {@link MarginLoss#TARGETED_DLR} the attack runs once per
 *       target, the targets being the classes ranked 2nd, 3rd, ... by the clean logits;
 *   <li>each restart and each target runs only on the points still classified correctly; a point
 *       counts as broken when any iterate was misclassified, and that iterate is returned;
 *   <li>{@code eotDraws > 1} averages the gradient over that many forward/backward passes
 *       (expectation over transformation, AutoAttack's {@code rand} version).
 * </ul>
 *
 * @param norm the ball
 * @param eps radius, > 0
 * @param iterations per run, >= 1 (AutoAttack: 100)
 * @param restarts runs from fresh random starts, >= 1 (standard: 1; l_1: 5)
 * @param loss the maximised loss
 * @param targets target classes of the targeted loss (standard: 9), ignored otherwise
 * @param rho the oscillation threshold (0.75)
 * @param eotDraws gradient samples per step (1; {@code rand} version: 20)
 * @param l1EpsSchedule the 3/2/1 eps schedule of "Mind the box" (l_1 only)
 * @param scalars makes the constants of each {@link #perturb} call on the inputs' device (see
 *     {@link DeviceScalars}); uncounted unless a test passes a counting one
 */
public record ApgdAttack(Norm norm, double eps, int iterations, int restarts, MarginLoss loss, int targets,
        double rho, int eotDraws, boolean l1EpsSchedule, DeviceScalars scalars) implements ClassifierAttack {

    /** AutoAttack's defaults. */
    public static final int ITERATIONS = 100;
    public static final double RHO = 0.75;
    public static final int TARGETS = 9;

    public ApgdAttack {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("APGD: eps must be a finite number > 0, got " + eps);
        }
        if (iterations < 1 || restarts < 1 || eotDraws < 1) {
            throw new IllegalArgumentException("APGD: iterations, restarts and EoT draws must be >= 1, got "
                    + iterations + ", " + restarts + ", " + eotDraws);
        }
        if (loss == MarginLoss.TARGETED_DLR && targets < 1) {
            throw new IllegalArgumentException("APGD-T: targets must be >= 1, got " + targets);
        }
        if (!(rho > 0 && rho <= 1)) {
            throw new IllegalArgumentException("APGD: rho must be in (0, 1], got " + rho);
        }
        if (l1EpsSchedule && norm != Norm.L1) {
            throw new IllegalArgumentException("APGD: the 3/2/1 eps schedule is defined for l_1 only");
        }
    }

    /** An attack whose constants go uncounted. */
    public ApgdAttack(Norm norm, double eps, int iterations, int restarts, MarginLoss loss, int targets, double rho,
            int eotDraws, boolean l1EpsSchedule) {
        this(norm, eps, iterations, restarts, loss, targets, rho, eotDraws, l1EpsSchedule, DeviceScalars.uncounted());
    }

    /** APGD-CE: 100 iterations, one run. */
    public static ApgdAttack ce(Norm norm, double eps) {
        return new ApgdAttack(norm, eps, ITERATIONS, 1, MarginLoss.CE, TARGETS, RHO, 1, false);
    }

    /** APGD-DLR: 100 iterations, one run. */
    public static ApgdAttack dlr(Norm norm, double eps) {
        return new ApgdAttack(norm, eps, ITERATIONS, 1, MarginLoss.DLR, TARGETS, RHO, 1, false);
    }

    /** APGD-T: targeted DLR, 100 iterations, 9 targets. */
    public static ApgdAttack targeted(Norm norm, double eps) {
        return new ApgdAttack(norm, eps, ITERATIONS, 1, MarginLoss.TARGETED_DLR, TARGETS, RHO, 1, false);
    }

    /** l_1-APGD-CE of "Mind the box" as AutoAttack's standard l_1 version runs it: eps schedule, 5 restarts. */
    public static ApgdAttack l1(double eps) {
        return new ApgdAttack(Norm.L1, eps, ITERATIONS, 5, MarginLoss.CE, TARGETS, RHO, 1, true);
    }

    public ApgdAttack withIterations(int n) {
        return new ApgdAttack(norm, eps, n, restarts, loss, targets, rho, eotDraws, l1EpsSchedule, scalars);
    }

    public ApgdAttack withRestarts(int n) {
        return new ApgdAttack(norm, eps, iterations, n, loss, targets, rho, eotDraws, l1EpsSchedule, scalars);
    }

    public ApgdAttack withTargets(int n) {
        return new ApgdAttack(norm, eps, iterations, restarts, loss, n, rho, eotDraws, l1EpsSchedule, scalars);
    }

    public ApgdAttack withEotDraws(int n) {
        return new ApgdAttack(norm, eps, iterations, restarts, loss, targets, rho, n, l1EpsSchedule, scalars);
    }

    public ApgdAttack withL1EpsSchedule(boolean on) {
        return new ApgdAttack(norm, eps, iterations, restarts, loss, targets, rho, eotDraws, on, scalars);
    }

    /** This attack with its constants made through {@code through} (a counting hook in tests). */
    public ApgdAttack withScalars(DeviceScalars through) {
        return new ApgdAttack(norm, eps, iterations, restarts, loss, targets, rho, eotDraws, l1EpsSchedule, through);
    }

    private String label() {
        return "APGD-" + loss.name().toLowerCase(Locale.ROOT);
    }

    private float alpha() {
        return norm == Norm.L1 ? 1f : 2f;
    }

    @Override
    public NDArray perturb(AttackedClassifier model, NDArray x, NDArray labels, RandomGenerator random) {
        InputRange.requireUnitBox(x, label());
        if (model.classes() < loss.minimumClasses()) {
            throw new IllegalArgumentException(label() + " needs at least " + loss.minimumClasses()
                    + " classes, the model has " + model.classes());
        }
        int targetCount = loss == MarginLoss.TARGETED_DLR ? Math.min(targets, model.classes() - 1) : 1;
        NDManager outer = x.getManager();
        try (FrozenParameters frozen = FrozenParameters.freeze(model.parameters());
                NDManager attack = outer.newSubManager()) {
            Scalars constants = new Scalars(scalars, attack, x);
            SampleRows rows = SampleRows.of(x, labels, model, attack);
            rows.rounds(targetCount, restarts, attack, (rank, restart, xs, ys, subShape, round) -> {
                NDArray labelHot = MarginLoss.oneHot(ys, model.classes(), xs.getDataType());
                NDArray targetHot = loss == MarginLoss.TARGETED_DLR
                        ? targetOneHot(model, xs.reshape(subShape), rank) : null;
                LossGradient.Loss lossFn = logits -> loss.losses(logits, labelHot, targetHot, constants);
                Run run = l1EpsSchedule
                        ? scheduled(model, xs, ys, subShape, lossFn, constants, round, random)
                        : single(model, xs, ys, subShape, lossFn, ball(eps, xs, round), eps, iterations,
                                null, constants, round, random);
                return new SampleRows.Outcome(run.fooled, run.found);
            });
            return rows.result(outer);
        }
    }

    /** One-hot (N, C) of the class ranked {@code rank} (1 = arg-max) by the logits at x. */
    private static NDArray targetOneHot(AttackedClassifier model, NDArray x, int rank) {
        NDArray logits = model.logitsOf(x);
        long classes = logits.getShape().get(1);
        NDArray order = logits.argSort(1);
        NDArray target = order.get(new NDIndex(":, {}", classes - rank));
        return MarginLoss.oneHot(target, model.classes(), x.getDataType());
    }

    /** The result of one run on a subset: which points broke, and the misclassified iterate of each. */
    private record Run(NDArray fooled, NDArray found, NDArray best) {}

    private enum Slot {
        X_ADV, X_OLD, GRAD, LOSS, LOSS_BEST, X_BEST, GRAD_BEST, X_FOUND, FOOLED, STEP, INCREASES,
        LOSS_AT_CHECK, REDUCED_AT_CHECK, TOPK, SPARSITY_OLD
    }

    /** "Mind the box": radii 3 eps, 2 eps, eps over 30/30/40% of the iterations. */
    private Run scheduled(AttackedClassifier model, NDArray xs, NDArray ys, Shape subShape, LossGradient.Loss lossFn,
            Scalars scalars, NDManager round, RandomGenerator random) {
        double[] radii = {3 * eps, 2 * eps, eps};
        int first = (int) Math.ceil(0.3 * iterations);
        int[] phases = {first, first, iterations - 2 * first};
        PerturbationBall[] balls = new PerturbationBall[radii.length];
        for (int phase = 0; phase < radii.length; phase++) {
            balls[phase] = ball(radii[phase], xs, round);
        }
        NDArray init = balls[0].project(xs,
                EngineDraws.normal(round, random, 0f, 1f, xs.getShape(), xs.getDataType(), xs.getDevice()));
        Run run = null;
        for (int phase = 0; phase < radii.length; phase++) {
            if (phases[phase] < 1) {
                continue;
            }
            init = balls[phase].project(xs, init.sub(xs));
            run = single(model, xs, ys, subShape, lossFn, balls[phase], radii[phase], phases[phase], init, scalars,
                    round, random);
            init = run.best;
        }
        return run;
    }

    /**
     * The ball of {@code radius} around the rows {@code xs} with its constants made once, in {@code round}, for
     * every step of the runs on those rows (a ball without them uploads eight scalars per projection).
     */
    private PerturbationBall ball(double radius, NDArray xs, NDManager round) {
        return new PerturbationBall(norm, radius, 1, PerturbationBall.Constants.of(scalars, round,
                xs, radius, alpha() * radius));
    }

    /** One APGD run of {@code steps} iterations in {@code ball} (of {@code radius}), from {@code init} or a random start. */
    private Run single(AttackedClassifier model, NDArray xs, NDArray ys, Shape subShape, LossGradient.Loss lossFn,
            PerturbationBall ball, double radius, int steps, @Nullable NDArray init, Scalars scalars, NDManager round,
            RandomGenerator random) {
        StepState<Slot> s = new StepState<>(round, Slot.class);
        long n = xs.getShape().get(0);
        long d = xs.getShape().get(1);
        NDArray inverseDraws = scalars.of(1f / eotDraws);
        float stepMax = (float) (alpha() * radius);
        NDArray zero = scalars.of(0f);
        s.step(scope -> {
            xs.tempAttach(scope);
            NDArray start = init != null ? init.duplicate() : randomStart(xs, radius, ball, scalars, scope, random);
            start = start.maximum(zero).minimum(scalars.of(1f));
            LossGradient g = LossGradient.at(start, subShape, model.logits(), lossFn, eotDraws, inverseDraws, scope);
            s.set(Slot.X_ADV, start);
            s.set(Slot.X_OLD, start);
            s.set(Slot.X_BEST, start);
            s.set(Slot.X_FOUND, start);
            s.set(Slot.GRAD, g.gradient());
            s.set(Slot.GRAD_BEST, g.gradient());
            s.set(Slot.LOSS, g.losses());
            s.set(Slot.LOSS_BEST, g.losses());
            s.set(Slot.LOSS_AT_CHECK, g.losses());
            s.set(Slot.FOOLED, g.logits().argMax(1).neq(ys));
            s.set(Slot.STEP, g.losses().reshape(n, 1).zerosLike().add(scalars.of(stepMax)));
            s.set(Slot.INCREASES, g.losses().zerosLike());
            s.set(Slot.REDUCED_AT_CHECK, g.losses().zerosLike().eq(zero));
            if (norm == Norm.L1) {
                if (init == null) {
                    s.set(Slot.TOPK, s.get(Slot.STEP).zerosLike().add(scalars.of(0.2f)));
                    s.set(Slot.SPARSITY_OLD, s.get(Slot.STEP).zerosLike().add(scalars.of((float) d)));
                } else {
                    NDArray sparsity = nonZeros(start.sub(xs), zero);
                    s.set(Slot.TOPK, sparsity.div(scalars.of(d * 1.5f)));
                    s.set(Slot.SPARSITY_OLD, sparsity);
                }
            }
        });
        int window = norm == Norm.L1 ? Math.max((int) (0.04 * steps), 1) : Math.max((int) (0.22 * steps), 1);
        int minWindow = Math.max((int) (0.06 * steps), 1);
        int shrink = Math.max((int) (0.03 * steps), 1);
        int sinceCheck = 0;
        for (int i = 0; i < steps; i++) {
            sinceCheck++;
            boolean checkpoint = sinceCheck == window;
            int currentWindow = window;
            boolean firstStep = i == 0;
            s.step(scope -> {
                xs.tempAttach(scope);
                NDArray xAdv = s.get(Slot.X_ADV);
                NDArray next = norm == Norm.L1
                        ? l1Step(xs, xAdv, s.get(Slot.GRAD), s.get(Slot.STEP), s.get(Slot.TOPK), ball, scalars, d)
                        : momentumStep(xs, xAdv, s.get(Slot.X_OLD), s.get(Slot.GRAD), s.get(Slot.STEP), ball,
                                scalars, firstStep);
                s.set(Slot.X_OLD, xAdv);
                s.set(Slot.X_ADV, next);
                LossGradient g = LossGradient.at(next, subShape, model.logits(), lossFn, eotDraws, inverseDraws, scope);
                NDArray fooledNow = g.logits().argMax(1).neq(ys);
                s.set(Slot.FOOLED, s.get(Slot.FOOLED).logicalOr(fooledNow));
                s.set(Slot.X_FOUND, rowsWhere(fooledNow, next, s.get(Slot.X_FOUND)));
                NDArray improved = g.losses().gt(s.get(Slot.LOSS_BEST));
                s.set(Slot.X_BEST, rowsWhere(improved, next, s.get(Slot.X_BEST)));
                s.set(Slot.GRAD_BEST, rowsWhere(improved, g.gradient(), s.get(Slot.GRAD_BEST)));
                s.set(Slot.LOSS_BEST, NDArrays.where(improved, g.losses(), s.get(Slot.LOSS_BEST)));
                NDArray rose = g.losses().gt(s.get(Slot.LOSS)).toType(g.losses().getDataType(), false);
                s.set(Slot.INCREASES, s.get(Slot.INCREASES).add(rose));
                s.set(Slot.LOSS, g.losses());
                s.set(Slot.GRAD, g.gradient());
                if (checkpoint) {
                    if (norm == Norm.L1) {
                        sparsityCheckpoint(s, xs, scalars, d, stepMax, n);
                    } else {
                        oscillationCheckpoint(s, scalars, currentWindow, n);
                    }
                }
            });
            if (checkpoint) {
                sinceCheck = 0;
                if (norm != Norm.L1) {
                    window = Math.max(window - shrink, minWindow);
                }
            }
        }
        Run run = new Run(s.get(Slot.FOOLED), s.get(Slot.X_FOUND), s.get(Slot.X_BEST));
        return run;
    }

    /** Alg. 1's condition 1 (oscillation) or 2 (no halving and no progress since the last checkpoint). */
    private void oscillationCheckpoint(StepState<Slot> s, Scalars scalars, int window, long n) {
        NDArray oscillating = s.get(Slot.INCREASES).lte(scalars.of((float) (window * rho)));
        NDArray stalled = s.get(Slot.REDUCED_AT_CHECK).logicalNot()
                .logicalAnd(s.get(Slot.LOSS_AT_CHECK).gte(s.get(Slot.LOSS_BEST)));
        NDArray reduce = oscillating.logicalOr(stalled);
        s.set(Slot.REDUCED_AT_CHECK, reduce);
        s.set(Slot.LOSS_AT_CHECK, s.get(Slot.LOSS_BEST));
        s.set(Slot.STEP, rowsWhere(reduce, s.get(Slot.STEP).mul(scalars.of(0.5f)), s.get(Slot.STEP)));
        s.set(Slot.X_ADV, rowsWhere(reduce, s.get(Slot.X_BEST), s.get(Slot.X_ADV)));
        s.set(Slot.GRAD, rowsWhere(reduce, s.get(Slot.GRAD_BEST), s.get(Slot.GRAD)));
        s.set(Slot.INCREASES, s.get(Slot.INCREASES).zerosLike());
    }

    /** "Mind the box": k follows the best point's sparsity; the step resets when it shrank by > 5%. */
    private void sparsityCheckpoint(StepState<Slot> s, NDArray xs, Scalars scalars, long d, float stepMax, long n) {
        NDArray sparsity = nonZeros(s.get(Slot.X_BEST).sub(xs), scalars.of(0f));
        NDArray shrunk = sparsity.div(s.get(Slot.SPARSITY_OLD)).lt(scalars.of(0.95f));
        s.set(Slot.TOPK, sparsity.div(scalars.of(d * 1.5f)));
        NDArray step = rowsWhere(shrunk, s.get(Slot.STEP).zerosLike().add(scalars.of(stepMax)),
                s.get(Slot.STEP).div(scalars.of(1.5f)));
        s.set(Slot.STEP, step.maximum(scalars.of(stepMax / 10f)).minimum(scalars.of(stepMax)));
        s.set(Slot.SPARSITY_OLD, sparsity);
        s.set(Slot.X_ADV, rowsWhere(shrunk, s.get(Slot.X_BEST), s.get(Slot.X_ADV)));
        s.set(Slot.GRAD, rowsWhere(shrunk, s.get(Slot.GRAD_BEST), s.get(Slot.GRAD)));
    }

    /** Per row, {@code a} where {@code mask} (N) holds, else {@code b}; (N, k) operands (DJL's where does not broadcast). */
    static NDArray rowsWhere(NDArray mask, NDArray a, NDArray b) {
        NDArray full = a.getShape().dimension() == 1 ? mask : mask.reshape(mask.getShape().get(0), 1).broadcast(a.getShape());
        return NDArrays.where(full, a, b);
    }

    /** ||v||_0 per row, (N, 1). */
    private static NDArray nonZeros(NDArray v, NDArray zero) {
        return v.abs().gt(zero).toType(v.getDataType(), false).sum(new int[] {1}, true);
    }

    private NDArray randomStart(NDArray xs, double radius, PerturbationBall ball, Scalars scalars, NDManager scope,
            RandomGenerator random) {
        NDArray r = scalars.of((float) radius);
        NDArray tiny = scalars.of(1e-12f);
        return switch (norm) {
            case LINF -> {
                NDArray t = EngineDraws.uniform(scope, random, -1f, 1f, xs.getShape(), xs.getDataType(), xs.getDevice());
                yield xs.add(t.div(t.abs().max(new int[] {1}, true).add(tiny)).mul(r));
            }
            case L2 -> {
                NDArray t = EngineDraws.normal(scope, random, 0f, 1f, xs.getShape(), xs.getDataType(), xs.getDevice());
                yield xs.add(t.div(t.square().sum(new int[] {1}, true).sqrt().add(tiny)).mul(r));
            }
            case L1 -> ball.project(xs,
                    EngineDraws.normal(scope, random, 0f, 1f, xs.getShape(), xs.getDataType(), xs.getDevice()));
        };
    }

    /** Eq. 2: a projected step and, after the first, momentum 0.75 on it. */
    private NDArray momentumStep(NDArray xs, NDArray xAdv, NDArray xOld, NDArray grad, NDArray step,
            PerturbationBall ball, Scalars scalars, boolean first) {
        NDArray direction = norm == Norm.LINF
                ? grad.sign()
                : grad.div(grad.square().sum(new int[] {1}, true).sqrt().add(scalars.of(1e-12f)));
        NDArray z = ball.project(xs, xAdv.add(direction.mul(step)).sub(xs));
        if (first) {
            return z;
        }
        NDArray moved = xAdv.add(z.sub(xAdv).mul(scalars.of(0.75f))).add(xAdv.sub(xOld).mul(scalars.of(0.25f)));
        return ball.project(xs, moved.sub(xs));
    }

    /** "Mind the box": sign of the gradient on the top-k coordinates, unit l_1 norm, exact projection. */
    private NDArray l1Step(NDArray xs, NDArray xAdv, NDArray grad, NDArray step, NDArray topk, PerturbationBall ball,
            Scalars scalars, long d) {
        NDArray magnitude = grad.abs();
        NDArray sorted = magnitude.sort(1);
        NDArray position = topk.mul(scalars.of(-1f)).add(scalars.of(1f)).mul(scalars.of((float) d))
                .maximum(scalars.of(0f)).minimum(scalars.of((float) (d - 1))).toType(DataType.INT64, false);
        NDArray threshold = sorted.gather(position, 1);
        NDArray direction = grad.mul(magnitude.gte(threshold).toType(grad.getDataType(), false)).sign();
        NDArray length = direction.abs().sum(new int[] {1}, true).add(scalars.of(1e-10f));
        NDArray moved = xAdv.add(direction.mul(step).div(length));
        return ball.project(xs, moved.sub(xs));
    }
}
