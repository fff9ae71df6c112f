package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.HostTransfer;
import java.util.random.RandomGenerator;

/**
 * SimCLR's random Gaussian blur (Chen et al. 2020, appendix A), which UPAT (sec. 4.1) adds to T:
 * with probability {@code probability} an image is blurred by a Gaussian of sigma ~ U[0.1, 2.0]
 * with a square kernel of about 10% of the image side (odd, at least 3: 3x3 on 32x32), as
 * torchvision's {@code GaussianBlur} computes it: a separable normalised kernel
 * {@code exp(-d^2 / (2 sigma^2))} over offsets d, reflect padding at the borders. Each image draws its
 * own sigma. Only shifted slices and per-sample weights are used, so it is differentiable in its input.
 *
 * @param probability chance that an image is blurred (SimCLR: 0.5)
 */
public record RandomGaussianBlur(double probability) implements ImageTransform {

    /** SimCLR's probability. */
    public static final double SIMCLR_PROBABILITY = 0.5;
    private static final double SIGMA_MIN = 0.1;
    private static final double SIGMA_MAX = 2.0;

    public RandomGaussianBlur {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("Gaussian blur: probability must be in [0, 1], got " + probability);
        }
    }

    /** The kernel side for an image side: 10% of it, made odd, at least 3. */
    static int kernelSize(int side) {
        int k = Math.max(3, (int) (0.1 * side));
        return k % 2 == 1 ? k : k + 1;
    }

    /** Normalised 1-d Gaussian weights over offsets -r..r (r = (k-1)/2). */
    static float[] weights(int k, double sigma) {
        int r = (k - 1) / 2;
        float[] w = new float[k];
        double sum = 0;
        for (int d = -r; d <= r; d++) {
            double v = Math.exp(-(d * d) / (2 * sigma * sigma));
            w[d + r] = (float) v;
            sum += v;
        }
        for (int i = 0; i < k; i++) {
            w[i] /= (float) sum;
        }
        return w;
    }

    @Override
    public NDArray apply(NDArray images, RandomGenerator random) {
        Shape shape = images.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("Gaussian blur needs NCHW images, got " + shape);
        }
        int n = (int) shape.get(0);
        int k = kernelSize((int) Math.min(shape.get(2), shape.get(3)));
        float[][] perOffset = new float[k][n];
        for (int s = 0; s < n; s++) {
            boolean blur = random.nextDouble() < probability;
            double sigma = SIGMA_MIN + (SIGMA_MAX - SIGMA_MIN) * random.nextDouble();
            // an unblurred image gets the identity kernel (weight 1 at offset 0)
            float[] w = blur ? weights(k, sigma) : identity(k);
            for (int i = 0; i < k; i++) {
                perOffset[i][s] = w[i];
            }
        }
        // in the caller's scope, not a sub-scope closed on return: autograd keeps the weight arrays
        // until backward (EoT differentiates through the transform after it returned)
        NDArray[] weights = weights(perOffset, n, images.getManager());
        return blurAxis(blurAxis(images, weights, 2), weights, 3);
    }

    private static NDArray[] weights(float[][] perOffset, int n, NDManager scope) {
        NDArray[] weights = new NDArray[perOffset.length];
        for (int i = 0; i < perOffset.length; i++) {
            weights[i] = HostTransfer.upload(scope, perOffset[i], new Shape(n, 1, 1, 1));
        }
        return weights;
    }

    private static float[] identity(int k) {
        float[] w = new float[k];
        w[(k - 1) / 2] = 1f;
        return w;
    }

    /** Weighted sum of the image shifted by -r..r along {@code axis}, reflect-padded. */
    private static NDArray blurAxis(NDArray x, NDArray[] weights, int axis) {
        int k = weights.length;
        int r = (k - 1) / 2;
        long len = x.getShape().get(axis);
        NDArray padded = reflectPad(x, r, axis, len);
        NDArray sum = null;
        for (int i = 0; i < k; i++) {
            NDArray slice = axis == 2 ? padded.get(":, :, {}:{}", i, i + len) : padded.get(":, :, :, {}:{}", i, i + len);
            NDArray term = slice.mul(weights[i]);
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }

    /** torch's reflect padding by r along axis: x[r..1], x, x[len-2..len-1-r]. */
    private static NDArray reflectPad(NDArray x, int r, int axis, long len) {
        NDArray out = x;
        for (int d = 1; d <= r; d++) {
            long before = Math.min(d, len - 1);
            long after = Math.max(len - 1 - d, 0);
            NDArray head = axis == 2 ? x.get(":, :, {}:{}", before, before + 1) : x.get(":, :, :, {}:{}", before, before + 1);
            NDArray tail = axis == 2 ? x.get(":, :, {}:{}", after, after + 1) : x.get(":, :, :, {}:{}", after, after + 1);
            out = head.concat(out, axis).concat(tail, axis);
        }
        return out;
    }
}
