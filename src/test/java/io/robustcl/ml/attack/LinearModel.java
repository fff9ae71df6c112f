package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A linear classifier z = W x + b on C x 1 x 4 x 4 "images" whose minimal adversarial perturbations
 * are known in closed form: class y is kept while (w_y - w_j) . (x + d) + b_y - b_j > 0 for all j,
 * so the smallest l_p perturbation that changes the decision is the minimum over j of the
 * smallest d with (w_j - w_y) . d >= m_j, m_j = z_y - z_j, inside the box [-x, 1 - x]:
 *
 * <ul>
 *   <li>without the box this is m_j / ||w_y - w_j||_q with q the dual norm (q = 1 for l_inf,
 *       2 for l_2, inf for l_1);
 *   <li>with it: l_inf moves every coordinate by min(t, room_k) and solves sum |w_k| min(t, room_k)
 *       = m for t; l_2 moves d_k = min(mu |w_k|, room_k) and solves sum |w_k| d_k = m for mu; l_1
 *       fills the coordinates by decreasing |w_k| up to their room (a fractional knapsack).
 * </ul>
 *
 * Points are drawn in [0.3, 0.7] so the box rarely binds; the exact robust accuracy at eps is
 * the fraction of points whose distance exceeds eps (misclassified points count as not robust).
 */
final class LinearModel {

    final int classes;
    final int dimension;
    final double[][] weights;
    final double[] bias;
    final float[][] points;
    final int[] labels;
    private final NDArray weightT;
    private final NDArray biasArray;
    final NDArray images;
    final NDArray labelArray;

    LinearModel(NDManager manager, int samples, int classes, long seed) {
        this.classes = classes;
        this.dimension = 16;
        Random random = new Random(seed);
        weights = new double[classes][dimension];
        bias = new double[classes];
        float[] w = new float[dimension * classes];
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < dimension; k++) {
                weights[c][k] = (float) random.nextGaussian();
                w[k * classes + c] = (float) weights[c][k];
            }
            bias[c] = (float) (0.5 * random.nextGaussian());
        }
        points = new float[samples][dimension];
        labels = new int[samples];
        float[] flat = new float[samples * dimension];
        for (int i = 0; i < samples; i++) {
            for (int k = 0; k < dimension; k++) {
                points[i][k] = 0.3f + 0.4f * random.nextFloat();
                flat[i * dimension + k] = points[i][k];
            }
            labels[i] = argMax(logits(points[i]));
            if (i % 10 == 9) {
                labels[i] = (labels[i] + 1) % classes; // a few misclassified points
            }
        }
        weightT = manager.create(w, new Shape(dimension, classes));
        float[] b = new float[classes];
        for (int c = 0; c < classes; c++) {
            b[c] = (float) bias[c];
        }
        biasArray = manager.create(b);
        images = manager.create(flat, new Shape(samples, 1, 4, 4));
        labelArray = manager.create(labels);
    }

    NDArray logits(NDArray x) {
        return x.reshape(x.getShape().get(0), -1).dot(weightT).add(biasArray);
    }

    AttackedClassifier classifier() {
        return new AttackedClassifier(this::logits, List.of(), classes);
    }

    double[] logits(float[] x) {
        double[] z = new double[classes];
        for (int c = 0; c < classes; c++) {
            z[c] = bias[c];
            for (int k = 0; k < dimension; k++) {
                z[c] += weights[c][k] * x[k];
            }
        }
        return z;
    }

    static int argMax(double[] z) {
        int best = 0;
        for (int c = 1; c < z.length; c++) {
            if (z[c] > z[best]) {
                best = c;
            }
        }
        return best;
    }

    /** The exact minimal perturbation norm of every point (0 if misclassified, +inf if unreachable). */
    double[] distances(Norm norm) {
        double[] out = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            double[] z = logits(points[i]);
            int y = labels[i];
            if (argMax(z) != y) {
                continue;
            }
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                if (j == y) {
                    continue;
                }
                double[] gain = new double[dimension];
                double[] room = new double[dimension];
                for (int k = 0; k < dimension; k++) {
                    // moving coordinate k against the sign of (w_y - w_j)_k lowers the margin by |.|
                    double v = weights[y][k] - weights[j][k];
                    gain[k] = Math.abs(v);
                    room[k] = v > 0 ? points[i][k] : 1 - points[i][k];
                }
                best = Math.min(best, distance(norm, gain, room, z[y] - z[j]));
            }
            out[i] = best;
        }
        return out;
    }

    /** Smallest ||d||_p with sum gain_k d_k >= margin, 0 <= d_k <= room_k. */
    static double distance(Norm norm, double[] gain, double[] room, double margin) {
        double reachable = 0;
        for (int k = 0; k < gain.length; k++) {
            reachable += gain[k] * room[k];
        }
        if (reachable < margin) {
            return Double.POSITIVE_INFINITY;
        }
        return switch (norm) {
            case LINF -> {
                double low = 0;
                double high = 1;
                for (int it = 0; it < 200; it++) {
                    double t = (low + high) / 2;
                    double g = 0;
                    for (int k = 0; k < gain.length; k++) {
                        g += gain[k] * Math.min(t, room[k]);
                    }
                    if (g >= margin) {
                        high = t;
                    } else {
                        low = t;
                    }
                }
                yield high;
            }
            case L2 -> {
                double low = 0;
                double high = 1e6;
                for (int it = 0; it < 300; it++) {
                    double mu = (low + high) / 2;
                    double g = 0;
                    for (int k = 0; k < gain.length; k++) {
                        g += gain[k] * Math.min(mu * gain[k], room[k]);
                    }
                    if (g >= margin) {
                        high = mu;
                    } else {
                        low = mu;
                    }
                }
                double sq = 0;
                for (int k = 0; k < gain.length; k++) {
                    double dk = Math.min(high * gain[k], room[k]);
                    sq += dk * dk;
                }
                yield Math.sqrt(sq);
            }
            case L1 -> {
                Integer[] order = new Integer[gain.length];
                for (int k = 0; k < order.length; k++) {
                    order[k] = k;
                }
                Arrays.sort(order, (a, b) -> Double.compare(gain[b], gain[a]));
                double left = margin;
                double used = 0;
                for (int k : order) {
                    if (gain[k] <= 0) {
                        break;
                    }
                    double take = Math.min(room[k], left / gain[k]);
                    used += take;
                    left -= take * gain[k];
                    if (left <= 1e-15) {
                        break;
                    }
                }
                yield used;
            }
        };
    }

    /** Exact robust accuracy at eps from the distances. */
    static double robustAccuracy(double[] distances, double eps) {
        int robust = 0;
        for (double d : distances) {
            robust += d > eps ? 1 : 0;
        }
        return (double) robust / distances.length;
    }

    /** An eps near the given quantile of the positive distances with no distance within 3% of it. */
    static double clearEps(double[] distances, double quantile) {
        double[] sorted = Arrays.stream(distances).filter(d -> d > 0 && d < Double.POSITIVE_INFINITY).sorted().toArray();
        int start = (int) (quantile * (sorted.length - 1));
        for (int offset = 0; offset < sorted.length; offset++) {
            for (int i : new int[] {start + offset, start - offset}) {
                if (i >= 0 && i + 1 < sorted.length && sorted[i + 1] > sorted[i] * 1.07) {
                    return Math.sqrt(sorted[i] * sorted[i + 1]);
                }
            }
        }
        throw new IllegalStateException("no clear eps");
    }
}
