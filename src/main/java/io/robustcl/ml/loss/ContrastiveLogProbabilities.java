package io.robustcl.ml.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.DeviceScalars;

/**
 * The log-probabilities shared by NT-Xent and SupCon: for L2-normalised embeddings z (M, d),
 * {@code S = z z^T / tau} and {@code log p_ij = S_ij - log sum_{k != i} exp S_ik}, computed as a
 * log-softmax over each row with the diagonal pushed to a large negative value (numerically
 * stable: PyTorch's log-softmax subtracts the row maximum first).
 */
final class ContrastiveLogProbabilities {

    /**
     * Added to the diagonal of S. |S_ij| is at most 1/tau, so exp of the shifted diagonal underflows
     * to exactly 0 in float32 for any tau above 1e-3, and the value stays finite, so masked products
     * (0 * log p_ii) are 0, not NaN.
     */
    private static final float DIAGONAL_MASK = -1.0e4f;

    /** Constants as arrays, never Java-number operands (see {@link DeviceScalars}: autograd keeps them). */
    private static final DeviceScalars SCALARS = DeviceScalars.uncounted();

    private ContrastiveLogProbabilities() {}

    /**
     * @param z embeddings (M, d), not necessarily normalised; rows of zero norm are treated via a
     *     floor of 1e-12 on the norm (as torch's F.normalize)
     * @param tau temperature, > 0
     * @return log p (M, M); the diagonal is a large negative finite value
     */
    static NDArray of(NDArray z, double tau) {
        if (z.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    "contrastive loss: embeddings must be (M, d), got " + z.getShape());
        }
        if (!(tau > 0)) {
            throw new IllegalArgumentException("contrastive loss: temperature tau must be > 0, got " + tau);
        }
        NDArray normalised = normalise(z);
        long m = z.getShape().get(0);
        NDManager manager = z.getManager();
        NDArray products = normalised.matMul(normalised.transpose());
        NDArray similarity = products.div(SCALARS.like(products, (float) tau));
        NDArray diagonal = manager.eye((int) m).toType(similarity.getDataType(), false).toDevice(z.getDevice(), false);
        return similarity.add(diagonal.mul(SCALARS.like(diagonal, DIAGONAL_MASK))).logSoftmax(1);
    }

    /**
     * Row-wise L2 normalisation with the norm floored at 1e-12. The floor is applied to the squared
     * norm, before the square root: flooring after it would back-propagate 0 times sqrt's infinite
     * slope at 0, a NaN that reaches the weights when an embedding row is exactly 0 (dead ReLUs).
     */
    static NDArray normalise(NDArray z) {
        NDArray squared = z.square().sum(new int[] {1}, true);
        NDArray norm = squared.maximum(SCALARS.like(squared, 1e-24f)).sqrt();
        return z.div(norm);
    }

    /**
     * The positive mask {@code P_ij = 1 iff i != j and key_i = key_j}, as z's float type on z's
     * device, for a (M) key vector (instance index or label).
     */
    static NDArray sameKeyOffDiagonal(NDArray keys, NDArray z) {
        long m = keys.getShape().get(0);
        NDArray k = keys.toDevice(z.getDevice(), false);
        NDArray same = k.reshape(m, 1).eq(k.reshape(1, m));
        NDArray offDiagonal = z.getManager().eye((int) m).toDevice(z.getDevice(), false).toType(DataType.BOOLEAN, false)
                .logicalNot();
        return same.logicalAnd(offDiagonal).toType(z.getDataType(), false);
    }

    /** Validates a (M) label or index vector and returns it as int64 for equality tests. */
    static NDArray asLongVector(NDArray labels, long m, String what) {
        if (labels.getShape().dimension() != 1 || labels.getShape().get(0) != m) {
            throw new IllegalArgumentException(
                    what + ": labels must be a vector of " + m + " entries, got " + labels.getShape());
        }
        return labels.toType(DataType.INT64, false);
    }
}
