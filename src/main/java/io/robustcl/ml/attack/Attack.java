package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import java.util.random.RandomGenerator;

/**
 * An attack that searches, around inputs x in [0,1], for inputs that maximise an
 * {@link AttackObjective}, with the model's parameter gradients switched off during the search.
 */
public interface Attack {

    /**
     * @param x clean inputs (N, ...) in [0,1], float32; not modified
     * @param objective per-sample losses to maximise, evaluated in inference mode
     * @param parameters the model's parameter arrays (gradients switched off during the attack and
     *     restored; see {@link FrozenParameters#arraysOf})
     * @param random the source of the attack's randomness (random starts): the same generator state
     *     gives the same result, whatever else runs in the process
     * @return adversarial inputs of x's shape, in [0,1] and inside the attack's ball, attached to
     *     x's manager
     * @throws IllegalArgumentException if x leaves [0,1]
     */
    NDArray perturb(NDArray x, AttackObjective objective, Iterable<NDArray> parameters, RandomGenerator random);
}
