package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.HostTransfer;
import java.util.random.RandomGenerator;

/**
 * Square Attack (Andriushchenko et al. 2020, alg. 1 and 3), the score-based black-box attack of
 * AutoAttack: random search that changes one square window per query and keeps the change when
 * the margin loss z_y - max_{i != y} z_i falls (or the point becomes misclassified).
 *
 * <ul>
 *   <li>l_inf: start from vertical stripes x + eps s (s = ±1 per sample, channel and column); each
 *       query sets one s x s window, common to the batch, to ±2 eps per channel before clipping to
 *       the ball and the box;
 *   <li>l_2: start from a grid of tiles of the image carrying the centred "eta" pattern with
 *       random signs, rescaled to norm eps; each query moves the perturbation mass of a second
 *       window into a first one, adds a new eta pattern there and rescales to keep ||delta||_2 =
 *       eps (alg. 3);
 *   <li>the window side follows p: s = round(sqrt(p D / c)) with p = p_init halved after 10, 50,
 *       200, 500, 1000, 2000, 4000, 6000 and 8000 queries (AutoAttack runs it unrescaled);
 *   <li>points already misclassified stop querying.
 * </ul>
 *
 * Window corners are uniform over all h - s + 1 positions, as the paper defines them; the
 * reference code draws from h - s positions, so a window never touches the last row or column
 * (negligible at 32 x 32, but 7 of 16 pixels on a 4 x 4 image).
 *
 * The search runs on the host (one forward pass per query on the points still to fool); only the
 * margins come back from the device. Images must be (N, C, H, W).
 *
 * @param norm l_inf or l_2
 * @param eps radius
 * @param queries queries per point (AutoAttack: 5,000)
 * @param initialFraction p_init (0.8)
 */
public record SquareAttack(Norm norm, double eps, int queries, double initialFraction) implements ClassifierAttack {

    public SquareAttack {
        if (norm == Norm.L1) {
            throw new IllegalArgumentException("Square: defined here for l_inf and l_2, not l_1");
        }
        if (!(eps > 0) || queries < 1 || !(initialFraction > 0 && initialFraction <= 1)) {
            throw new IllegalArgumentException("Square: need eps > 0, queries >= 1, 0 < p_init <= 1, got "
                    + eps + ", " + queries + ", " + initialFraction);
        }
    }

    /** AutoAttack's Square: 5,000 queries, p_init 0.8. */
    public static SquareAttack of(Norm norm, double eps) {
        return new SquareAttack(norm, eps, 5000, 0.8);
    }

    public SquareAttack withQueries(int n) {
        return new SquareAttack(norm, eps, n, initialFraction);
    }

    /** The p schedule of the reference code (unrescaled). */
    double fraction(int query) {
        int[] bounds = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
        int halvings = 0;
        for (int bound : bounds) {
            if (query > bound) {
                halvings++;
            }
        }
        return initialFraction / (1 << halvings);
    }

    @Override
    public NDArray perturb(AttackedClassifier model, NDArray x, NDArray labels, RandomGenerator random) {
        InputRange.requireUnitBox(x, "Square");
        Shape shape = x.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("Square: needs images (N, C, H, W), got " + shape);
        }
        int n = Math.toIntExact(shape.get(0));
        int c = Math.toIntExact(shape.get(1));
        int h = Math.toIntExact(shape.get(2));
        int w = Math.toIntExact(shape.get(3));
        int d = c * h * w;
        float[] clean = x.toFloatArray();
        int[] y = labelsOf(labels);
        float[] best = clean.clone();
        float e = (float) eps;
        try (FrozenParameters frozen = FrozenParameters.freeze(model.parameters());
                NDManager scope = x.getManager().newSubManager()) {
            boolean[] active = new boolean[n];
            float[] initialMargins = margins(model, scope, clean, allRows(n), shape, y);
            int[] todo = java.util.stream.IntStream.range(0, n).filter(i -> initialMargins[i] > 0).toArray();
            for (int i : todo) {
                active[i] = true;
            }
            if (norm == Norm.LINF) {
                for (int i : todo) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int col = 0; col < w; col++) {
                            float sign = random.nextBoolean() ? e : -e;
                            for (int row = 0; row < h; row++) {
                                int k = i * d + (ch * h + row) * w + col;
                                best[k] = clip01(clean[k] + sign);
                            }
                        }
                    }
                }
            } else {
                l2Start(best, clean, todo, c, h, w, random);
            }
            float[] margin = new float[n];
            float[] startMargins = margins(model, scope, best, todo, shape, y);
            for (int j = 0; j < todo.length; j++) {
                margin[todo[j]] = startMargins[j];
            }
            for (int query = 0; query < queries; query++) {
                int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> active[i] && margin[i] > 0).toArray();
                if (rows.length == 0) {
                    break;
                }
                double p = fraction(query);
                float[] candidate = norm == Norm.LINF
                        ? linfCandidate(best, clean, rows, c, h, w, p, random)
                        : l2Candidate(best, clean, rows, c, h, w, p, random);
                float[] m = margins(model, scope, candidate, rows, shape, y, true);
                for (int j = 0; j < rows.length; j++) {
                    // the margin loss: keep the change when it falls, or when the point is fooled
                    if (m[j] < margin[rows[j]] || m[j] <= 0) {
                        margin[rows[j]] = m[j];
                        System.arraycopy(candidate, j * d, best, rows[j] * d, d);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (!active[i] || margin[i] > 0) {
                    System.arraycopy(clean, i * d, best, i * d, d);
                }
            }
        }
        return HostTransfer.upload(x.getManager(), best, shape);
    }

    private static int[] labelsOf(NDArray labels) {
        long[] values = labels.toType(DataType.INT64, false).toLongArray();
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }

    private static int[] allRows(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    private static float clip01(float v) {
        return Math.max(0f, Math.min(1f, v));
    }

    private float[] margins(AttackedClassifier model, NDManager parent, float[] images, int[] rows, Shape shape,
            int[] y) {
        int d = Math.toIntExact(shape.size() / shape.get(0));
        float[] packed = new float[rows.length * d];
        for (int j = 0; j < rows.length; j++) {
            System.arraycopy(images, rows[j] * d, packed, j * d, d);
        }
        return margins(model, parent, packed, rows, shape, y, true);
    }

    /** z_y - max_{i != y} z_i of the packed rows (one forward pass). */
    private float[] margins(AttackedClassifier model, NDManager parent, float[] packed, int[] rows, Shape shape,
            int[] y, boolean packedRows) {
        if (rows.length == 0) {
            return new float[0];
        }
        try (NDManager scope = parent.newSubManager()) {
            Shape batch = new Shape(rows.length).addAll(shape.slice(1));
            NDArray logits = model.logitsOf(HostTransfer.upload(scope, packed, batch));
            long[] labels = new long[rows.length];
            for (int j = 0; j < rows.length; j++) {
                labels[j] = y[rows[j]];
            }
            NDArray hot = HostTransfer.upload(scope, labels, new Shape(labels.length)).oneHot(model.classes())
                    .toType(logits.getDataType(), false);
            NDArray trueLogit = logits.mul(hot).sum(new int[] {1});
            // -inf on the true class leaves the largest other logit
            NDArray others = logits.add(hot.mul(DeviceScalars.uncounted().like(hot, -1e30f))).max(new int[] {1});
            return trueLogit.sub(others).toFloatArray();
        }
    }

    private float[] linfCandidate(float[] best, float[] clean, int[] rows, int c, int h, int w, double p,
            RandomGenerator random) {
        int d = c * h * w;
        int side = Math.min(Math.max((int) Math.round(Math.sqrt(p * d / c)), 1), Math.min(h, w));
        int top = random.nextInt(h - side + 1);
        int left = random.nextInt(w - side + 1);
        float e = (float) eps;
        float[] signs = new float[c];
        for (int ch = 0; ch < c; ch++) {
            signs[ch] = random.nextBoolean() ? 2 * e : -2 * e;
        }
        float[] out = new float[rows.length * d];
        for (int j = 0; j < rows.length; j++) {
            int base = rows[j] * d;
            System.arraycopy(best, base, out, j * d, d);
            for (int ch = 0; ch < c; ch++) {
                for (int row = top; row < top + side; row++) {
                    for (int col = left; col < left + side; col++) {
                        int k = (ch * h + row) * w + col;
                        float moved = best[base + k] + signs[ch];
                        float x0 = clean[base + k];
                        out[j * d + k] = clip01(Math.max(x0 - e, Math.min(x0 + e, moved)));
                    }
                }
            }
        }
        return out;
    }

    /** The l_2 start: tiles of side h/5 carrying eta with a random sign per sample and channel. */
    private void l2Start(float[] best, float[] clean, int[] rows, int c, int h, int w, RandomGenerator random) {
        int d = c * h * w;
        int side = Math.max(h / 5, 1);
        int offset = (h - side * 5) / 2;
        float[][] pattern = SquarePatterns.eta(side, false);
        for (int i : rows) {
            float[] delta = new float[d];
            int top = offset;
            for (int a = 0; a < h / side; a++) {
                int left = offset;
                for (int b = 0; b < w / side; b++) {
                    for (int ch = 0; ch < c; ch++) {
                        float sign = random.nextBoolean() ? 1f : -1f;
                        for (int r = 0; r < side; r++) {
                            for (int q = 0; q < side; q++) {
                                int row = top + r;
                                int col = left + q;
                                if (row >= 0 && row < h && col >= 0 && col < w) {
                                    delta[(ch * h + row) * w + col] += pattern[r][q] * sign;
                                }
                            }
                        }
                    }
                    left += side;
                }
                top += side;
            }
            double scale = eps / (Math.sqrt(sumSquares(delta, 0, d)) + 1e-12);
            for (int k = 0; k < d; k++) {
                best[i * d + k] = clip01(clean[i * d + k] + (float) (delta[k] * scale));
            }
        }
    }

    /** Alg. 3's l_2 proposal: move window 2's mass into window 1 with a new eta, keep ||delta||_2 = eps. */
    private float[] l2Candidate(float[] best, float[] clean, int[] rows, int c, int h, int w, double p,
            RandomGenerator random) {
        int d = c * h * w;
        int side = Math.max((int) Math.round(Math.sqrt(p * d / c)), 3);
        if (side % 2 == 0) {
            side++;
        }
        side = Math.min(side, Math.min(h, w));
        int top = random.nextInt(h - side + 1);
        int left = random.nextInt(w - side + 1);
        int top2 = random.nextInt(h - side + 1);
        int left2 = random.nextInt(w - side + 1);
        float[][] pattern = SquarePatterns.eta(side, random.nextBoolean());
        float[] out = new float[rows.length * d];
        for (int j = 0; j < rows.length; j++) {
            int base = rows[j] * d;
            float[] delta = new float[d];
            for (int k = 0; k < d; k++) {
                delta[k] = best[base + k] - clean[base + k];
            }
            double imageNorm = Math.sqrt(sumSquares(delta, 0, d));
            float[] updated = delta.clone();
            for (int ch = 0; ch < c; ch++) {
                double window1 = 0;
                double union = 0;
                for (int row = 0; row < h; row++) {
                    for (int col = 0; col < w; col++) {
                        boolean in1 = row >= top && row < top + side && col >= left && col < left + side;
                        boolean in2 = row >= top2 && row < top2 + side && col >= left2 && col < left2 + side;
                        float v = delta[(ch * h + row) * w + col];
                        if (in1) {
                            window1 += v * v;
                        }
                        if (in1 || in2) {
                            union += v * v;
                        }
                    }
                }
                double norm1 = Math.sqrt(window1);
                float sign = random.nextBoolean() ? 1f : -1f;
                double[] fresh = new double[side * side];
                double freshNorm = 0;
                for (int r = 0; r < side; r++) {
                    for (int q = 0; q < side; q++) {
                        double old = delta[(ch * h + top + r) * w + left + q] / (1e-12 + norm1);
                        fresh[r * side + q] = pattern[r][q] * sign + old;
                        freshNorm += fresh[r * side + q] * fresh[r * side + q];
                    }
                }
                double target = Math.sqrt(Math.max(eps * eps - imageNorm * imageNorm, 0) / c + union);
                double scale = target / (1e-12 + Math.sqrt(freshNorm));
                for (int r = 0; r < side; r++) {
                    for (int q = 0; q < side; q++) {
                        updated[(ch * h + top2 + r) * w + left2 + q] = 0f;
                    }
                }
                for (int r = 0; r < side; r++) {
                    for (int q = 0; q < side; q++) {
                        updated[(ch * h + top + r) * w + left + q] = (float) (fresh[r * side + q] * scale);
                    }
                }
            }
            double scale = eps / (Math.sqrt(sumSquares(updated, 0, d)) + 1e-12);
            for (int k = 0; k < d; k++) {
                out[j * d + k] = clip01(clean[base + k] + (float) (updated[k] * scale));
            }
        }
        return out;
    }

    private static double sumSquares(float[] v, int from, int to) {
        double s = 0;
        for (int k = from; k < to; k++) {
            s += (double) v[k] * v[k];
        }
        return s;
    }
}
