package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import java.util.random.RandomGenerator;

/**
 * Fast gradient sign method (Goodfellow et al., 2015): {@code x_adv = clip_[0,1](x + eps sign(grad_x L(x)))},
 * i.e. one l_inf PGD step of size eps from x, without a random start.
 *
 * @param eps l_inf radius, > 0
 */
public record FgsmAttack(double eps) implements Attack {

    public FgsmAttack {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("FGSM: eps must be a finite number > 0, got " + eps);
        }
    }

    @Override
    public NDArray perturb(NDArray x, AttackObjective objective, Iterable<NDArray> parameters, RandomGenerator random) {
        return new PgdAttack(Norm.LINF, eps, eps, 1, false, 1, PgdAttack.DEFAULT_L1_TOP_FRACTION)
                .perturb(x, objective, parameters, random);
    }
}
