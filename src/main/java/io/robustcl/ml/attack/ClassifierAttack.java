package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import java.util.random.RandomGenerator;

/**
 * An attack that knows the labels and looks for misclassified points in a ball around each
 * input: the interface of the attacks AutoAttack combines (APGD-CE/DLR/T, FAB-T, Square) and of
 * PGD on the cross-entropy. The caller decides robustness by classifying what it returns.
 */
public interface ClassifierAttack {

    /**
     * @param model the classifier under attack
     * @param x clean inputs (N, ...) in [0,1], float32; not modified
     * @param labels (N) true labels
     * @param random the attack's randomness: the same generator state gives the same result
     * @return points of x's shape inside the ball ∩ [0,1]: for each sample the adversarial example
     *     found, or a point that was not one (x itself for attacks that keep only successes),
     *     attached to x's manager
     */
    NDArray perturb(AttackedClassifier model, NDArray x, NDArray labels, RandomGenerator random);
}
