package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The per-sample losses APGD maximises (Croce &amp; Hein 2020, sec. 4), on logits z (N, C) with
 * the true class y and, for the targeted loss, a target class t; pi sorts z decreasingly:
 *
 * <pre>
 *   CE:            -log softmax(z)_y
 *   DLR:           -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)                 (eq. 5)
 *   targeted DLR:  -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)                 (eq. 6)
 * </pre>
 *
 * DLR is invariant to shifting and rescaling the logits, which is why it defeats defences that
 * only flatten the softmax. It needs 3 classes, the targeted form 4.
 */
public enum MarginLoss {
    CE,
    DLR,
    TARGETED_DLR;

    /** Fewest classes the loss is defined for. */
    public int minimumClasses() {
        return switch (this) {
            case CE -> 2;
            case DLR -> 3;
            case TARGETED_DLR -> 4;
        };
    }

    /**
     * @param logits (N, C)
     * @param labelHot (N, C) one-hot of y, logits' type
     * @param targetHot (N, C) one-hot of t for {@link #TARGETED_DLR}, else ignored (may be null)
     * @param scalars constants of the calling attack
     * @return per-sample losses (N), differentiable in logits; temporaries in logits' manager
     */
    NDArray losses(NDArray logits, NDArray labelHot, NDArray targetHot, Scalars scalars) {
        if (this == CE) {
            return logits.logSoftmax(1).mul(labelHot).sum(new int[] {1}).neg();
        }
        long classes = logits.getShape().get(1);
        NDArray sorted = logits.sort(1);
        NDArray top1 = sorted.get(new NDIndex(":, {}", classes - 1));
        NDArray top3 = sorted.get(new NDIndex(":, {}", classes - 3));
        NDArray trueLogit = logits.mul(labelHot).sum(new int[] {1});
        NDArray tiny = scalars.of(1e-12f);
        if (this == DLR) {
            NDArray top2 = sorted.get(new NDIndex(":, {}", classes - 2));
            // max_{i != y} z_i is the second largest when y is the arg-max, else the largest
            NDArray yIsTop = logits.argMax(1).eq(labelHot.argMax(1)).toType(logits.getDataType(), false);
            NDArray otherMax = top1.sub(top1.sub(top2).mul(yIsTop));
            return trueLogit.sub(otherMax).div(top1.sub(top3).add(tiny)).neg();
        }
        NDArray top4 = sorted.get(new NDIndex(":, {}", classes - 4));
        NDArray targetLogit = logits.mul(targetHot).sum(new int[] {1});
        NDArray scale = top1.sub(top3.add(top4).mul(scalars.of(0.5f))).add(tiny);
        return trueLogit.sub(targetLogit).div(scale).neg();
    }

    /** The one-hot (N, C) of integer labels, in {@code type}. */
    static NDArray oneHot(NDArray labels, int classes, DataType type) {
        return labels.toType(DataType.INT64, false).oneHot(classes).toType(type, false);
    }
}
