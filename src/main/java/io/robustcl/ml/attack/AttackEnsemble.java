package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.HostTransfer;
import java.util.List;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * Attacks run one after another on the points still classified correctly, keeping per sample the
 * worst case: a point is robust only if no attack broke it (AutoAttack's
 * {@code run_standard_evaluation}). A single attack is an ensemble of one.
 *
 * <p>The {@code standard} version (Croce &amp; Hein 2020, sec. 5) is APGD-CE, APGD-T (9 targets),
 * FAB-T (9 targets) and Square (5,000 queries); for l_1 the APGD runs use the 3/2/1 eps schedule
 * of "Mind the box" with 5 restarts of APGD-CE and 5 targets, as the reference code sets them.
 * The {@code rand} version, for models with test-time randomness, is APGD-CE and APGD-DLR with
 * the gradient averaged over 20 draws (expectation over transformation).
 *
 * @param components the attacks in order, each with the name its robust accuracy is logged under
 */
public record AttackEnsemble(List<Component> components) {

    /** One attack of the ensemble. */
    public record Component(String name, ClassifierAttack attack) {}

    public AttackEnsemble {
        if (components.isEmpty()) {
            throw new IllegalArgumentException("attack ensemble: needs at least one attack");
        }
        components = List.copyOf(components);
    }

    public static AttackEnsemble of(String name, ClassifierAttack attack) {
        return new AttackEnsemble(List.of(new Component(name, attack)));
    }

    /**
     * The budgets of AutoAttack's versions; {@link #PUBLISHED} are the reference code's.
     *
     * @param apgdIterations iterations of each APGD run (100)
     * @param targets target classes of APGD-T and FAB-T (9; l_1 APGD-T: 5)
     * @param fabIterations FAB-T iterations (100)
     * @param squareQueries Square's queries (5,000)
     * @param eotDraws gradient draws of the {@code rand} version (20)
     */
    public record Budget(int apgdIterations, int targets, int fabIterations, int squareQueries, int eotDraws) {
        public static final Budget PUBLISHED = new Budget(100, 9, 100, 5000, 20);
    }

    /**
     * AutoAttack's {@code standard} version.
     *
     * @param fab the FAB-T of this threat, built by the caller
     * @param square Square for l_inf and l_2; null for l_1, where the reference has none
     */
    public static AttackEnsemble standard(Norm norm, double eps, Budget budget, ClassifierAttack fab,
            ClassifierAttack square) {
        ApgdAttack ce = ApgdAttack.ce(norm, eps).withIterations(budget.apgdIterations());
        ApgdAttack targeted = ApgdAttack.targeted(norm, eps).withIterations(budget.apgdIterations())
                .withTargets(budget.targets());
        if (norm == Norm.L1) {
            ce = ce.withRestarts(5).withL1EpsSchedule(true);
            targeted = targeted.withTargets(Math.min(5, budget.targets())).withL1EpsSchedule(true);
        }
        List<Component> parts = new java.util.ArrayList<>(List.of(
                new Component("apgd-ce", ce), new Component("apgd-t", targeted), new Component("fab-t", fab)));
        if (square != null) {
            parts.add(new Component("square", square));
        }
        return new AttackEnsemble(parts);
    }

    /** AutoAttack's {@code rand} version: APGD-CE and APGD-DLR, EoT over {@code budget.eotDraws()}. */
    public static AttackEnsemble rand(Norm norm, double eps, Budget budget) {
        return new AttackEnsemble(List.of(
                new Component("apgd-ce", ApgdAttack.ce(norm, eps).withIterations(budget.apgdIterations())
                        .withEotDraws(budget.eotDraws())),
                new Component("apgd-dlr", ApgdAttack.dlr(norm, eps).withIterations(budget.apgdIterations())
                        .withEotDraws(budget.eotDraws()))));
    }

    /** Receives the robust flags after each attack; may persist them. */
    @FunctionalInterface
    public interface Listener {
        void afterAttack(int component, boolean[] robust);
    }

    /**
     * Runs the components {@code from}, {@code from + 1}, ... on the points whose {@code robust}
     * flag is set, clearing the flag of every point an attack breaks (its returned example is
     * misclassified). Each component draws from its own generator, so a resumed run that starts at
     * a later component gives the same flags as an unbroken one.
     *
     * @param robust per-sample flags, updated in place (start: clean correctness)
     * @param randoms the generator of component i
     */
    public void run(AttackedClassifier model, NDArray x, NDArray labels, boolean[] robust, int from,
            IntFunction<RandomGenerator> randoms, Listener listener) {
        for (int c = from; c < components.size(); c++) {
            int[] still = indices(robust);
            if (still.length > 0) {
                try (NDManager scope = x.getManager().newSubManager()) {
                    long[] rows = new long[still.length];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = still[i];
                    }
                    NDArray index = HostTransfer.upload(scope, rows, new Shape(rows.length));
                    x.tempAttach(scope);
                    labels.tempAttach(scope);
                    NDArray xs = x.get(new NDIndex("{}", index));
                    NDArray ys = labels.get(new NDIndex("{}", index)).toType(DataType.INT64, false);
                    NDArray adversarial = components.get(c).attack().perturb(model, xs, ys, randoms.apply(c));
                    boolean[] correct = model.predict(adversarial).toType(DataType.INT64, false).eq(ys).toBooleanArray();
                    for (int i = 0; i < still.length; i++) {
                        if (!correct[i]) {
                            robust[still[i]] = false;
                        }
                    }
                }
            }
            listener.afterAttack(c, robust);
        }
    }

    static int[] indices(boolean[] flags) {
        return java.util.stream.IntStream.range(0, flags.length).filter(i -> flags[i]).toArray();
    }
}
