package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.HostTransfer;

/**
 * The bookkeeping every AutoAttack component shares: which points are still classified correctly,
 * running the next restart or target only on those, and keeping for each broken point the
 * adversarial example that broke it. Flags and examples are on the host: they change once per
 * restart, not per step, and the caller needs them there.
 */
final class SampleRows {

    /** What a run on a subset of rows found: fooled (n) booleans and the examples (n, D). */
    record Outcome(NDArray fooled, NDArray found) {}

    /** A run of an attack on the rows {@code xs} (n, D) with labels {@code ys}, in {@code round}. */
    @FunctionalInterface
    interface RowAttack {
        Outcome run(NDArray xs, NDArray ys, Shape subShape, NDManager round);
    }

    private final NDArray flat;
    private final NDArray labels;
    private final Shape shape;
    private final boolean[] robust;
    private final float[] adversarial;
    private final int width;

    /**
     * @param flat clean inputs (N, D)
     * @param labels (N) int64
     * @param model classifies the clean inputs once: misclassified points are not attacked
     * @param shape the model's input shape (N, ...)
     */
    SampleRows(NDArray flat, NDArray labels, AttackedClassifier model, Shape shape) {
        this.flat = flat;
        this.labels = labels;
        this.shape = shape;
        this.adversarial = flat.toFloatArray();
        this.width = Math.toIntExact(flat.getShape().get(1));
        try (NDManager scope = flat.getManager().newSubManager()) {
            NDArray input = flat.reshape(shape);
            input.attach(scope);
            this.robust = model.predict(input).toType(DataType.INT64, false).eq(labels).toBooleanArray();
        }
    }

    /**
     * Moves flattened copies of x (N, D) and int64 labels into the attack's scope and classifies x.
     *
     * @param attack the attack's own scope, closed when the attack returns
     */
    static SampleRows of(NDArray x, NDArray labels, AttackedClassifier model, NDManager attack) {
        Shape shape = x.getShape();
        NDArray flat = x.reshape(shape.get(0), -1);
        flat.attach(attack);
        NDArray labels64 = labels.toType(DataType.INT64, true);
        labels64.attach(attack);
        return new SampleRows(flat, labels64, model, shape);
    }

    /** Indices of the points no run has broken yet. */
    int[] robustIndices() {
        int count = 0;
        for (boolean r : robust) {
            count += r ? 1 : 0;
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < robust.length; i++) {
            if (robust[i]) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** One round of a targeted, restarted attack: {@code rank} is the target's rank (2 = runner-up). */
    @FunctionalInterface
    interface Round {
        Outcome run(int rank, int restart, NDArray xs, NDArray ys, Shape subShape, NDManager round);
    }

    /**
     * AutoAttack's schedule: for each of {@code targets} targets (ranked 2, 3, ... by the clean logits)
     * and each of {@code restarts} restarts, one round on the points still robust; stops when none is.
     */
    void rounds(int targets, int restarts, NDManager parent, Round round) {
        for (int t = 0; t < targets; t++) {
            for (int r = 0; r < restarts; r++) {
                int[] still = robustIndices();
                if (still.length == 0) {
                    return;
                }
                int rank = t + 2;
                int restart = r;
                attackRows(still, parent, (xs, ys, subShape, scope) -> round.run(rank, restart, xs, ys, subShape, scope));
            }
        }
    }

    /** Runs {@code attack} on the rows {@code indices} and records the points it broke. */
    void attackRows(int[] indices, NDManager parent, RowAttack attack) {
        try (NDManager round = parent.newSubManager()) {
            flat.tempAttach(round);
            labels.tempAttach(round);
            long[] longIndices = new long[indices.length];
            for (int i = 0; i < indices.length; i++) {
                longIndices[i] = indices[i];
            }
            NDArray index = HostTransfer.upload(round, longIndices, new Shape(longIndices.length));
            NDArray xs = flat.get(new NDIndex("{}", index));
            NDArray ys = labels.get(new NDIndex("{}", index));
            Shape subShape = new Shape(indices.length).addAll(shape.slice(1));
            Outcome outcome = attack.run(xs, ys, subShape, round);
            boolean[] fooled = outcome.fooled().toType(DataType.BOOLEAN, false).toBooleanArray();
            float[] found = outcome.found().toFloatArray();
            for (int i = 0; i < indices.length; i++) {
                if (fooled[i]) {
                    robust[indices[i]] = false;
                    System.arraycopy(found, i * width, adversarial, indices[i] * width, width);
                }
            }
        }
    }

    /** The adversarial examples (clean input where nothing was found), in the model's shape. */
    NDArray result(NDManager outer) {
        return HostTransfer.upload(outer, adversarial, shape);
    }
}
