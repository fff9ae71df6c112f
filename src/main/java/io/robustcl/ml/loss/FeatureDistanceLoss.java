package io.robustcl.ml.loss;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.DeviceScalars;

/**
 * Distances between two batches of embeddings, the alternative instance-wise attack losses of the
 * ablations (RoCL table 7, UPAT table 5: MSE, cosine similarity, L1/Manhattan). Each is a
 * dissimilarity, larger when the embeddings are further apart, so an attack maximises it:
 *
 * <ul>
 *   <li>{@link Metric#MSE}: {@code mean_k (a_k - b_k)^2} per sample (torch's MSELoss, mean reduction);
 *   <li>{@link Metric#COSINE}: {@code 1 - a.b / (||a|| ||b||)} per sample (norms floored at 1e-12);
 *   <li>{@link Metric#L1}: {@code mean_k |a_k - b_k|} per sample (torch's L1Loss, mean reduction).
 * </ul>
 */
public final class FeatureDistanceLoss {

    /** The distance measured. */
    public enum Metric {
        MSE,
        COSINE,
        L1
    }

    private final Metric metric;

    public FeatureDistanceLoss(Metric metric) {
        this.metric = metric;
    }

    public Metric metric() {
        return metric;
    }

    /** @return the scalar batch mean of {@link #perSample} */
    public NDArray loss(NDArray a, NDArray b) {
        return perSample(a, b).mean();
    }

    /**
     * @param a embeddings (N, d)
     * @param b embeddings (N, d)
     * @return (N) per-sample distances
     */
    public NDArray perSample(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape()) || a.getShape().dimension() != 2) {
            throw new IllegalArgumentException("feature distance: embeddings must both be (N, d), got "
                    + a.getShape() + " and " + b.getShape());
        }
        return switch (metric) {
            case MSE -> a.sub(b).square().mean(new int[] {1});
            case L1 -> a.sub(b).abs().mean(new int[] {1});
            case COSINE -> {
                NDArray negativeCosine = ContrastiveLogProbabilities.normalise(a)
                        .mul(ContrastiveLogProbabilities.normalise(b))
                        .sum(new int[] {1})
                        .neg();
                yield negativeCosine.add(DeviceScalars.uncounted().like(negativeCosine, 1f));
            }
        };
    }
}
