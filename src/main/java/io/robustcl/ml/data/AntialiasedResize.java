package io.robustcl.ml.data;

/**
 * Resizes uint8 CHW images as PIL's {@code Image.resize(size, BILINEAR)} does, which is what
 * torchvision's {@code transforms.Resize(32)} runs on the PIL images of its STL-10 dataset (the
 * transfer protocol of RoCL, AdvCL and ASCL feeds STL-10's 96x96 images to CIFAR-sized encoders
 * that way): a separable triangle filter whose support is widened by the scale factor when
 * shrinking (so 96 -> 32 averages 3x3 neighbourhoods with triangular weights, antialiased, rather
 * than sampling), horizontal pass first, rounded to 8 bits between the passes. PIL computes in
 * fixed point; this computes in double, so a pixel can differ from PIL's by one level.
 */
public final class AntialiasedResize {

    private final int outHeight;
    private final int outWidth;

    public AntialiasedResize(int outHeight, int outWidth) {
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("resize target must be positive, got " + outHeight + "x" + outWidth);
        }
        this.outHeight = outHeight;
        this.outWidth = outWidth;
    }

    /** @param image CHW uint8 pixels of {@code channels x height x width} */
    public byte[] apply(byte[] image, int channels, int height, int width) {
        if (image.length != channels * height * width) {
            throw new IllegalArgumentException("image has " + image.length + " bytes, not " + channels + "x" + height + "x" + width);
        }
        if (height == outHeight && width == outWidth) {
            return image.clone();
        }
        Taps horizontal = Taps.of(width, outWidth);
        Taps vertical = Taps.of(height, outHeight);
        byte[] out = new byte[channels * outHeight * outWidth];
        int[] rows = new int[height * outWidth];
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < outWidth; x++) {
                    double sum = 0;
                    for (int k = 0; k < horizontal.count[x]; k++) {
                        sum += horizontal.weights[x][k] * (image[plane + y * width + horizontal.first[x] + k] & 0xff);
                    }
                    rows[y * outWidth + x] = clamp(sum);
                }
            }
            int outPlane = c * outHeight * outWidth;
            for (int y = 0; y < outHeight; y++) {
                for (int x = 0; x < outWidth; x++) {
                    double sum = 0;
                    for (int k = 0; k < vertical.count[y]; k++) {
                        sum += vertical.weights[y][k] * rows[(vertical.first[y] + k) * outWidth + x];
                    }
                    out[outPlane + y * outWidth + x] = (byte) clamp(sum);
                }
            }
        }
        return out;
    }

    private static int clamp(double value) {
        return (int) Math.max(0, Math.min(255, Math.floor(value + 0.5)));
    }

    /** PIL's precomputed filter taps of one axis (ImagingResample's precompute_coeffs). */
    private record Taps(int[] first, int[] count, double[][] weights) {
        static Taps of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the bilinear filter's support 1, widened when shrinking
            int[] first = new int[out];
            int[] count = new int[out];
            double[][] weights = new double[out][];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), in);
                double[] w = new double[max - min];
                double total = 0;
                for (int j = 0; j < w.length; j++) {
                    double t = Math.abs((j + min - center + 0.5) / filterScale);
                    w[j] = t < 1 ? 1 - t : 0;
                    total += w[j];
                }
                for (int j = 0; j < w.length && total > 0; j++) {
                    w[j] /= total;
                }
                first[i] = min;
                count[i] = w.length;
                weights[i] = w;
            }
            return new Taps(first, count, weights);
        }
    }
}
