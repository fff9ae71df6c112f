package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.GradientTape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A check that a robustness evaluation can be trusted, after Carlini et al. 2019 ("On evaluating
 * adversarial robustness", sec. 5 checklist) and AutoAttack's {@code checks.py}: a figure and
 * whether it passes; a warning does not stop the evaluation, it marks its numbers.
 *
 * @param name metric-friendly name, e.g. {@code gradient-nonzero}
 * @param value the measured figure
 * @param pass whether the figure is in the trusted range
 * @param meaning what was measured and what a warning suggests
 */
public record SanityCheck(String name, double value, boolean pass, String meaning) {

    /** AutoAttack's tolerance for two forward passes of a deterministic model. */
    public static final double DETERMINISM_TOLERANCE = 1e-4;
    /** Square (black-box) may not beat the white-box attacks by more than this many points. */
    public static final double SQUARE_MARGIN = 0.2;
    /** Doubling the PGD iterations may lower accuracy by at most this many points. */
    public static final double DOUBLING_MARGIN = 1.0;
    /** At a radius that reaches the uniform grey image, accuracy may exceed chance by this many points. */
    public static final double CHANCE_MARGIN = 5.0;

    /** Fraction of points whose cross-entropy input gradient is exactly zero at the clean input (should be 0). */
    public static SanityCheck gradientNonZero(AttackedClassifier model, NDArray x, NDArray labels) {
        try (NDManager scope = x.getManager().newSubManager();
                FrozenParameters frozen = FrozenParameters.freeze(model.parameters())) {
            NDArray leaf = x.duplicate();
            leaf.attach(scope);
            leaf.setRequiresGradient(true);
            NDArray hot = MarginLoss.oneHot(labels, model.classes(), x.getDataType());
            hot.attach(scope);
            try (GradientTape tape = GradientTape.record()) {
                NDArray logits = model.logitsOf(leaf);
                tape.backward(logits.logSoftmax(1).mul(hot).sum().neg());
            }
            NDArray gradient = leaf.getGradient();
            gradient.attach(scope);
            float[] sums = gradient.reshape(x.getShape().get(0), -1).abs().sum(new int[] {1}).toFloatArray();
            int zero = 0;
            for (float s : sums) {
                zero += s == 0f ? 1 : 0;
            }
            double fraction = (double) zero / sums.length;
            return new SanityCheck("gradient-nonzero", fraction, zero == 0,
                    "fraction of points with a zero input gradient at x; a warning means gradient masking:"
                            + " gradient attacks are unreliable, trust black-box ones");
        }
    }

    /** Max distance between two passes' l_2-normalised logits (AutoAttack's check_randomized). */
    public static SanityCheck deterministic(AttackedClassifier model, NDArray x) {
        try (NDManager scope = x.getManager().newSubManager()) {
            x.tempAttach(scope);
            NDArray a = normalised(model.logitsOf(x));
            NDArray b = normalised(model.logitsOf(x));
            double distance = a.sub(b).square().sum(new int[] {1}).sqrt().max().getFloat();
            return new SanityCheck("deterministic", distance, distance <= DETERMINISM_TOLERANCE,
                    "largest change of the normalised logits between two forward passes; a warning means test-time"
                            + " randomness: evaluate with inference modes and autoattack-rand (EoT)");
        }
    }

    private static NDArray normalised(NDArray logits) {
        NDArray norms = logits.square().sum(new int[] {1}, true).sqrt();
        return logits.div(norms.add(DeviceScalars.uncounted().like(norms, 1e-10f)));
    }

    /** 1 when the outputs look like probabilities (in [0,1], rows summing to 1), AutoAttack's check_range_output. */
    public static SanityCheck returnsLogits(AttackedClassifier model, NDArray x) {
        try (NDManager scope = x.getManager().newSubManager()) {
            x.tempAttach(scope);
            NDArray out = model.logitsOf(x);
            float max = out.max().getFloat();
            float min = out.min().getFloat();
            NDArray rowSums = out.sum(new int[] {1});
            float rowError = rowSums.sub(DeviceScalars.uncounted().like(rowSums, 1f)).abs().max().getFloat();
            boolean probabilities = max < 1 + 1e-5 && min > -1e-5 && rowError < 1e-5;
            return new SanityCheck("returns-logits", probabilities ? 1 : 0, !probabilities,
                    "1 when the model's outputs are a probability distribution; cross-entropy attacks on"
                            + " softmax outputs suffer vanishing gradients: pass the logits");
        }
    }

    /**
     * Robust accuracy (%) at a radius that reaches the uniform grey image from every input (l_inf
     * 0.5): no classifier can then beat the frequency of the class it gives the grey image, so
     * accuracy must fall to about chance; higher means the attack does not work.
     */
    public static SanityCheck chanceAtLargeRadius(AttackedClassifier model, NDArray x, NDArray labels,
            ClassifierAttack attack, RandomGenerator random) {
        NDArray adversarial = attack.perturb(model, x, labels, random);
        double accuracy = 100 * RobustAccuracy.of(model.logitsOf(adversarial), labels).accuracy();
        double chance = 100.0 / model.classes();
        return new SanityCheck("chance-at-large-eps", accuracy, accuracy <= chance + CHANCE_MARGIN,
                "robust accuracy (%) at l_inf 0.5, where every input reaches the grey image; above chance ("
                        + String.format(java.util.Locale.ROOT, "%.1f", chance) + " + " + CHANCE_MARGIN
                        + ") means the attack fails, not that the model is robust");
    }

    /** Accuracy (%) drop from doubling the PGD iterations: a large drop means the attack had not converged. */
    public static SanityCheck doubledIterations(double accuracy, double accuracyDoubled) {
        double drop = accuracy - accuracyDoubled;
        return new SanityCheck("doubled-iterations", drop, drop <= DOUBLING_MARGIN,
                "robust accuracy (%) lost by doubling the PGD iterations; more than " + DOUBLING_MARGIN
                        + " points means the reported attack has not converged");
    }

    /**
     * The largest rise of robust accuracy (%) from a smaller to a larger radius of the same norm
     * and attack; it should not rise by more than one sample.
     *
     * @param accuracies per attack, per norm, accuracy (%) by radius in increasing order
     * @param samples the number of evaluated points
     */
    public static SanityCheck monotoneInEps(Map<String, List<double[]>> accuracies, int samples) {
        double worst = 0;
        for (List<double[]> byNorm : accuracies.values()) {
            for (double[] ordered : byNorm) {
                for (int i = 1; i < ordered.length; i++) {
                    worst = Math.max(worst, ordered[i] - ordered[i - 1]);
                }
            }
        }
        double tolerance = 100.0 / Math.max(samples, 1);
        return new SanityCheck("monotone-in-eps", worst, worst <= tolerance + 1e-9,
                "largest rise of robust accuracy (%) from a smaller to a larger eps; a rise means a weak or"
                        + " unstable attack");
    }

    /**
     * How far (points) Square, a black-box attack, went below the white-box attacks at the same
     * threat; white-box attacks see strictly more, so more than 0.2 points means they are fooled
     * (AutoAttack's check_square_sr).
     */
    public static SanityCheck squareVersusWhiteBox(String threat, double whiteBox, double square) {
        double gain = whiteBox - square;
        return new SanityCheck("square-vs-white-box/" + threat, gain, gain <= SQUARE_MARGIN,
                "points by which Square lowered robust accuracy below the white-box attacks; more than "
                        + SQUARE_MARGIN + " means gradient masking");
    }

    /**
     * Checks that need only the model and a batch. {@code starting} hears each check's name before
     * it runs: on a randomised model the attack of {@code chance-at-large-eps} can take many
     * minutes, and a caller's progress should say what it waits for.
     */
    public static List<SanityCheck> onModel(AttackedClassifier model, NDArray x, NDArray labels, boolean randomised,
            RandomGenerator random, Consumer<String> starting) {
        List<SanityCheck> checks = new ArrayList<>();
        NDArray labels64 = labels.toType(DataType.INT64, false);
        starting.accept("gradient-nonzero");
        checks.add(gradientNonZero(model, x, labels64));
        if (!randomised) {
            starting.accept("deterministic");
            checks.add(deterministic(model, x));
        }
        starting.accept("returns-logits");
        checks.add(returnsLogits(model, x));
        starting.accept("chance-at-large-eps (APGD-CE, 20 iterations at l_inf 0.5)");
        checks.add(chanceAtLargeRadius(model, x, labels64, ApgdAttack.ce(Norm.LINF, 0.5).withIterations(20), random));
        return checks;
    }
}
