package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.EngineDraws;
import java.util.random.RandomGenerator;

/**
 * The geometry of one l_p ball of radius eps around clean inputs x in [0,1]: random starts,
 * steepest-ascent directions and projections onto ball ∩ box. All arrays are (N, D), one flattened
 * sample per row; results land in the manager of the first operand, the caller's step scope.
 */
final class PerturbationBall {

    private final Norm norm;
    private final double eps;
    private final double l1TopFraction;
    private final Constants c;

    /**
     * The ball's scalar constants on the inputs' device, made in one upload per attack run (see
     * {@link DeviceScalars}): with Java numbers every l_inf step made about nine device scalars.
     */
    record Constants(NDArray eps, NDArray negativeEps, NDArray zero, NDArray one, NDArray tiny, NDArray half,
            NDArray alpha, NDArray inverseDimension) {
        /** @param like the flattened inputs (N, D) */
        static Constants of(DeviceScalars scalars, NDManager manager, NDArray like, double eps, double alpha) {
            float inverseDimension = 1f / like.getShape().get(1);
            NDArray[] c = scalars.of(manager, like, (float) eps, (float) -eps, 0f, 1f, 1e-12f, 0.5f, (float) alpha,
                    inverseDimension);
            return new Constants(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
        }
    }

    PerturbationBall(Norm norm, double eps, double l1TopFraction, Constants constants) {
        this.norm = norm;
        this.eps = eps;
        this.l1TopFraction = l1TopFraction;
        this.c = constants;
    }

    /** The step size alpha as a device scalar. */
    NDArray alpha() {
        return c.alpha();
    }

    /**
     * A perturbation uniform in the ball: l_inf uniform per coordinate; l_2 a Gaussian direction
     * with radius eps u^(1/D); l_1 a Laplace direction normalised in l_1, radius eps u^(1/D) (both
     * are the uniform distributions on their balls). Drawn on x's device from {@code random}
     * ({@link EngineDraws}). Not yet clipped to the box.
     */
    NDArray randomDelta(NDArray x, RandomGenerator random) {
        NDManager manager = x.getManager();
        Shape shape = x.getShape();
        long n = shape.get(0);
        long d = shape.get(1);
        float radius = (float) eps;
        return switch (norm) {
            case LINF -> EngineDraws.uniform(manager, random, -radius, radius, shape, x.getDataType(), x.getDevice());
            case L2 -> scaledDirection(
                    EngineDraws.normal(manager, random, 0f, 1f, shape, x.getDataType(), x.getDevice()), 2, n, d, random);
            case L1 -> {
                // Laplace(0,1) = random sign times Exp(1), Exp(1) = -log(U)
                NDArray u = EngineDraws.uniform(manager, random, 1e-7f, 1f, shape, x.getDataType(), x.getDevice());
                NDArray s = EngineDraws.uniform(manager, random, -1f, 1f, shape, x.getDataType(), x.getDevice()).sign();
                yield scaledDirection(u.log().neg().mul(s), 1, n, d, random);
            }
        };
    }

    private NDArray scaledDirection(NDArray direction, int p, long n, long d, RandomGenerator random) {
        NDArray length = p == 2
                ? direction.square().sum(new int[] {1}, true).sqrt()
                : direction.abs().sum(new int[] {1}, true);
        NDArray u = EngineDraws.uniform(direction.getManager(), random, 0f, 1f, new Shape(n, 1), direction.getDataType(),
                direction.getDevice());
        NDArray radius = u.pow(c.inverseDimension()).mul(c.eps());
        return direction.div(length.maximum(c.tiny())).mul(radius);
    }

    /**
     * The steepest-ascent direction of unit norm for the gradient g at the current point xAdv:
     * l_inf sign(g); l_2 g / ||g||_2; l_1 (sparse) sign(g) on the top fraction of coordinates by
     * |g| among those that can move without leaving the box, scaled to unit l_1 norm.
     */
    NDArray ascentDirection(NDArray gradient, NDArray xAdv) {
        return switch (norm) {
            case LINF -> gradient.sign();
            case L2 -> gradient.div(gradient.square().sum(new int[] {1}, true).sqrt().maximum(c.tiny()));
            case L1 -> sparseL1Direction(gradient, xAdv);
        };
    }

    private NDArray sparseL1Direction(NDArray gradient, NDArray xAdv) {
        // coordinates at a box face whose gradient points outward cannot move: stepping there
        // would be undone by the projection and waste the l_1 budget (a known weakness of naive l_1 PGD)
        NDArray blocked = xAdv.lte(c.zero()).logicalAnd(gradient.lt(c.zero()))
                .logicalOr(xAdv.gte(c.one()).logicalAnd(gradient.gt(c.zero())));
        NDArray magnitude = gradient.abs().mul(blocked.logicalNot().toType(gradient.getDataType(), false));
        long d = gradient.getShape().get(1);
        int k = (int) Math.max(1, Math.min(d, Math.ceil(l1TopFraction * d)));
        NDArray threshold = magnitude.topK(k, 1, true, false).get(0).min(new int[] {1}, true);
        NDArray selected = magnitude.gte(threshold).logicalAnd(magnitude.gt(c.zero()))
                .toType(gradient.getDataType(), false);
        NDArray count = selected.sum(new int[] {1}, true).maximum(c.one());
        return gradient.sign().mul(selected).div(count);
    }

    /**
     * Projects x + delta onto the ball around x intersected with [0,1]: exact for l_inf and l_1
     * (see {@link L1BoxProjection}); for l_2 the ball projection followed by box clipping, which
     * stays inside the ball because clipping to [0,1] only shrinks each |delta_k|.
     *
     * @return the projected adversarial point x + delta
     */
    NDArray project(NDArray x, NDArray delta) {
        NDArray projectedDelta = switch (norm) {
            case LINF -> delta.maximum(c.negativeEps()).minimum(c.eps());
            case L2 -> {
                NDArray length = delta.square().sum(new int[] {1}, true).sqrt();
                // delta * min(eps / ||delta||, 1), with the array operand first so results stay in its scope
                yield delta.div(length.maximum(c.tiny()).div(c.eps()).maximum(c.one()));
            }
            case L1 -> L1BoxProjection.project(delta, x.neg(), x.neg().add(c.one()), c.eps(), c.zero(), c.half());
        };
        return projectedDelta.add(x).maximum(c.zero()).minimum(c.one());
    }

    /** Per-sample norms (N) of the flattened perturbations, for checks and tests. */
    static NDArray norms(NDArray delta, Norm norm) {
        NDArray flat = delta.reshape(delta.getShape().get(0), -1);
        return switch (norm) {
            case LINF -> flat.abs().max(new int[] {1});
            case L2 -> flat.square().sum(new int[] {1}).sqrt();
            case L1 -> flat.abs().sum(new int[] {1});
        };
    }

}
