package io.robustcl.ml.attack;

/**
 * The "eta" window of the l_2 Square Attack (Andriushchenko et al. 2020, sec. 3.2): two halves of
 * opposite sign, each a sum of concentric rectangles weighted 1/(k+1)^2 around its centre, so the
 * mass is peaked at the centres; unit l_2 norm.
 */
final class SquarePatterns {

    private SquarePatterns() {}

    /** The s x s pattern, transposed when asked (the reference flips a coin per query). */
    static float[][] eta(int side, boolean transpose) {
        float[][] out = new float[side][side];
        float[][] upper = rectangles(side / 2, side);
        float[][] lower = rectangles(side - side / 2, side);
        for (int r = 0; r < side / 2; r++) {
            out[r] = upper[r].clone();
        }
        for (int r = side / 2; r < side; r++) {
            for (int q = 0; q < side; q++) {
                out[r][q] = -lower[r - side / 2][q];
            }
        }
        normalise(out);
        if (!transpose) {
            return out;
        }
        float[][] flipped = new float[side][side];
        for (int r = 0; r < side; r++) {
            for (int q = 0; q < side; q++) {
                flipped[q][r] = out[r][q];
            }
        }
        return flipped;
    }

    /** Concentric rectangles in an x-by-y block, weights 1/(k+1)^2, unit l_2 norm. */
    static float[][] rectangles(int x, int y) {
        float[][] out = new float[x][y];
        if (x == 0 || y == 0) {
            return out;
        }
        int rowCentre = x / 2;
        int colCentre = y / 2;
        int rings = Math.max(x / 2 + 1, y / 2 + 1);
        for (int k = 0; k < rings; k++) {
            int r0 = rowCentre - k;
            int c0 = colCentre - k;
            float weight = 1f / ((k + 1) * (k + 1));
            for (int r = Math.max(r0, 0); r < Math.min(r0 + 2 * k + 1, x); r++) {
                for (int q = Math.max(c0, 0); q < Math.min(c0 + 2 * k + 1, y); q++) {
                    out[r][q] += weight;
                }
            }
        }
        normalise(out);
        return out;
    }

    private static void normalise(float[][] block) {
        double sum = 0;
        for (float[] row : block) {
            for (float v : row) {
                sum += v * v;
            }
        }
        float scale = (float) (1 / Math.sqrt(Math.max(sum, 1e-24)));
        for (float[] row : block) {
            for (int q = 0; q < row.length; q++) {
                row[q] *= scale;
            }
        }
    }
}
