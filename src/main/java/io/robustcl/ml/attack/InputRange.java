package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;

/** The [0,1] pixel-range precondition of every attack. */
final class InputRange {

    /** Float32 rounding of normalised 8-bit pixels stays well inside this slack. */
    private static final float SLACK = 1e-6f;

    private InputRange() {}

    /** @throws IllegalArgumentException naming the attack if x has values outside [0,1] */
    static void requireUnitBox(NDArray x, String attack) {
        if (x.getShape().dimension() < 2 || x.getShape().get(0) == 0) {
            throw new IllegalArgumentException(attack + ": inputs must be a non-empty batch (N, ...), got " + x.getShape());
        }
        // one host read per attack call (not per step): a cheap guard against unnormalised images
        float[] range = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(x.min(), x.max())).toFloatArray();
        float min = range[0];
        float max = range[1];
        if (min < -SLACK || max > 1 + SLACK || Float.isNaN(min) || Float.isNaN(max)) {
            throw new IllegalArgumentException(attack + ": inputs must be images in [0,1] (normalise inside"
                    + " the model), got values in [" + min + ", " + max + "]");
        }
    }
}
