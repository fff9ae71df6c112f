package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.HostTransfer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The SimCLR augmentation T as used by RoCL, UPAT, ASCL and RUSH (METHODS.md, "Augmentation T"),
 * computed on a whole batch with NDArray operations on the batch's device, each sample with its
 * own random parameters:
 *
 * <ol>
 *   <li>RandomResizedCrop(size, scale, ratio) as torchvision defines it (10 attempts of
 *       area fraction ~ U(scale) and log aspect ratio ~ U(log ratio), else the centre crop
 *       clamped to the ratio), resized with bilinear interpolation at half-pixel centres
 *       (align_corners=False); per-sample sampling indices are gathered on the device;</li>
 *   <li>horizontal flip with probability {@code flipProbability} (folded into the crop's
 *       column indices, since flip commutes with the per-pixel colour operations below);</li>
 *   <li>with probability {@code jitterProbability}, ColorJitter(brightness, contrast, saturation,
 *       hue) with torchvision's definitions: brightness factor b ~ U[max(0,1-B), 1+B], x <- clip(b x);
 *       contrast c: x <- clip(c x + (1-c) mean(gray(x))); saturation s: x <- clip(s x + (1-s) gray(x));
 *       hue shift h ~ U[-H, H]: hue <- (hue + h) mod 1 in HSV. The four operations run in a random
 *       order drawn per sample, as torchvision's ColorJitter draws a permutation per call;</li>
 *   <li>grayscale with probability {@code grayscaleProbability}: all channels set to
 *       gray = 0.2989 R + 0.587 G + 0.114 B.</li>
 * </ol>
 * Output: float32 NCHW in [0,1] of {@code size x size}.
 */
public final class SimClrAugmentation implements ImageTransform {
    private static final float[] GRAY_WEIGHTS = {0.2989f, 0.587f, 0.114f};
    private static final int BRIGHTNESS = 0;
    private static final int CONTRAST = 1;
    private static final int SATURATION = 2;
    private static final int HUE = 3;

    private final int size;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;
    private final double flipProbability;
    private final double brightness;
    private final double contrast;
    private final double saturation;
    private final double hue;
    private final double jitterProbability;
    private final double grayscaleProbability;

    private final DeviceScalars scalars;

    /**
     * The scalar constants of one {@link #apply} call, made in one upload on the images' device (see
     * {@link DeviceScalars}); with Java-number operands a view made about forty device scalars.
     */
    record Constants(NDArray zero, NDArray one, NDArray grayR, NDArray grayG, NDArray grayB, NDArray tiny, NDArray two,
            NDArray four, NDArray six, NDArray twelve) {
        static Constants of(DeviceScalars scalars, NDManager manager, NDArray like) {
            NDArray[] c = scalars.of(manager, DataType.FLOAT32, like, 0f, 1f, GRAY_WEIGHTS[0], GRAY_WEIGHTS[1],
                    GRAY_WEIGHTS[2], 1e-30f, 2f, 4f, 6f, 12f);
            return new Constants(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
        }

        /** clip(x, 0, 1) without clip's two new device scalars and their reads. */
        NDArray unitBox(NDArray x) {
            return x.maximum(zero).minimum(one);
        }
    }

    private SimClrAugmentation(Builder b) {
        this.scalars = b.scalars;
        this.size = b.size;
        this.scaleMin = b.scaleMin;
        this.scaleMax = b.scaleMax;
        this.ratioMin = b.ratioMin;
        this.ratioMax = b.ratioMax;
        this.flipProbability = b.flipProbability;
        this.brightness = b.brightness;
        this.contrast = b.contrast;
        this.saturation = b.saturation;
        this.hue = b.hue;
        this.jitterProbability = b.jitterProbability;
        this.grayscaleProbability = b.grayscaleProbability;
    }

    /** A builder with the papers' defaults (see {@link Builder}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The random parameters of one sample.
     *
     * @param top         first row of the crop
     * @param left        first column of the crop
     * @param cropHeight  rows of the crop
     * @param cropWidth   columns of the crop
     * @param flip        whether the sample is flipped horizontally
     * @param jitter      whether colour jitter applies
     * @param brightness  brightness factor (1 = identity)
     * @param contrast    contrast factor (1 = identity)
     * @param saturation  saturation factor (1 = identity)
     * @param hueShift    hue shift in fractions of the hue circle (0 = identity)
     * @param jitterOrder the order of the operations (0 brightness, 1 contrast, 2 saturation, 3 hue)
     * @param grayscale   whether the sample is converted to grayscale
     */
    public record SampleParameters(int top, int left, int cropHeight, int cropWidth, boolean flip, boolean jitter,
            float brightness, float contrast, float saturation, float hueShift, int[] jitterOrder, boolean grayscale) {}

    /** Draws the parameters of {@code n} samples of {@code height x width} images. */
    public List<SampleParameters> drawParameters(int n, int height, int width, RandomGenerator random) {
        List<SampleParameters> out = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            int[] crop = cropBox(height, width, random);
            boolean flip = random.nextDouble() < flipProbability;
            boolean jitter = random.nextDouble() < jitterProbability;
            float b = 1f;
            float c = 1f;
            float sat = 1f;
            float h = 0f;
            int[] order = {0, 1, 2, 3};
            if (jitter) {
                for (int i = 3; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                b = factor(brightness, random);
                c = factor(contrast, random);
                sat = factor(saturation, random);
                h = hue == 0 ? 0f : (float) (random.nextDouble() * 2 * hue - hue);
            }
            boolean gray = random.nextDouble() < grayscaleProbability;
            out.add(new SampleParameters(crop[0], crop[1], crop[2], crop[3], flip, jitter, b, c, sat, h, order, gray));
        }
        return out;
    }

    private static float factor(double strength, RandomGenerator random) {
        if (strength == 0) {
            return 1f;
        }
        double lo = Math.max(0, 1 - strength);
        return (float) (lo + random.nextDouble() * (1 + strength - lo));
    }

    /** torchvision's RandomResizedCrop.get_params: {top, left, height, width}. */
    private int[] cropBox(int height, int width, RandomGenerator random) {
        double area = (double) height * width;
        double logRatioMin = Math.log(ratioMin);
        double logRatioMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * (scaleMin + random.nextDouble() * (scaleMax - scaleMin));
            double aspect = Math.exp(logRatioMin + random.nextDouble() * (logRatioMax - logRatioMin));
            int w = (int) Math.round(Math.sqrt(targetArea * aspect));
            int h = (int) Math.round(Math.sqrt(targetArea / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = random.nextInt(height - h + 1);
                int left = random.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = width;
            h = (int) Math.round(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = height;
            w = (int) Math.round(h * ratioMax);
        } else {
            w = width;
            h = height;
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    @Override
    public NDArray apply(NDArray images, RandomGenerator random) {
        Shape shape = images.getShape();
        checkBatch(shape);
        return apply(images, drawParameters((int) shape.get(0), (int) shape.get(2), (int) shape.get(3), random));
    }

    /** Applies the given per-sample parameters (one per image, in batch order). */
    public NDArray apply(NDArray images, List<SampleParameters> parameters) {
        Shape shape = images.getShape();
        checkBatch(shape);
        if (parameters.size() != shape.get(0)) {
            throw new IllegalArgumentException(parameters.size() + " parameter sets for a batch of " + shape.get(0));
        }
        NDManager owner = images.getManager();
        if (images.hasGradient()) {
            // differentiated (EoT, RoCL eq. 8 under attack): autograd keeps the gathers' index and
            // weight arrays until backward, so they must live in the caller's scope, not a sub-scope
            // closed on return (freed indices made backward read garbage: "index ... out of bounds")
            Constants k = Constants.of(scalars, owner, images);
            NDArray x = cropResizeFlip(images, parameters, owner);
            x = colourJitter(x, parameters, owner, k);
            x = grayscale(x, parameters, owner, k);
            return k.unitBox(x);
        }
        try (NDManager sub = owner.newSubManager()) {
            // results of an operation attach to its input's manager: lending the input to the
            // sub-manager keeps every intermediate there, freed when it closes (the input returns)
            sub.tempAttachAll(images);
            Constants k = Constants.of(scalars, sub, images);
            NDArray x = cropResizeFlip(images, parameters, sub);
            x = colourJitter(x, parameters, sub, k);
            x = grayscale(x, parameters, sub, k);
            NDArray out = k.unitBox(x);
            out.attach(owner);
            return out;
        }
    }

    private static void checkBatch(Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException("SimCLR augmentation needs RGB images as NCHW (N,3,H,W), got " + shape);
        }
    }

    /**
     * Bilinear resize of each sample's crop to size x size, as two separable gathers (rows, then
     * columns) with per-sample index vectors; flipping reverses the column vector.
     */
    private NDArray cropResizeFlip(NDArray images, List<SampleParameters> parameters, NDManager sub) {
        Shape shape = images.getShape();
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        long[] rows0 = new long[n * size];
        long[] rows1 = new long[n * size];
        float[] rowWeights = new float[n * size];
        long[] cols0 = new long[n * size];
        long[] cols1 = new long[n * size];
        float[] colWeights = new float[n * size];
        for (int s = 0; s < n; s++) {
            SampleParameters p = parameters.get(s);
            sourceIndices(p.top(), p.cropHeight(), false, s * size, rows0, rows1, rowWeights);
            sourceIndices(p.left(), p.cropWidth(), p.flip(), s * size, cols0, cols1, colWeights);
        }
        NDArray x = images.toType(DataType.FLOAT32, false);
        Shape rowShape = new Shape(n, 1, size, 1);
        Shape rowsOut = new Shape(n, c, size, width);
        NDArray r0 = x.gather(HostTransfer.upload(sub, rows0, rowShape).broadcast(rowsOut), 2);
        NDArray r1 = x.gather(HostTransfer.upload(sub, rows1, rowShape).broadcast(rowsOut), 2);
        NDArray rows = r0.addi(r1.subi(r0).muli(HostTransfer.upload(sub, rowWeights, rowShape)));
        Shape colShape = new Shape(n, 1, 1, size);
        Shape colsOut = new Shape(n, c, size, size);
        NDArray c0 = rows.gather(HostTransfer.upload(sub, cols0, colShape).broadcast(colsOut), 3);
        NDArray c1 = rows.gather(HostTransfer.upload(sub, cols1, colShape).broadcast(colsOut), 3);
        return c0.addi(c1.subi(c0).muli(HostTransfer.upload(sub, colWeights, colShape)));
    }

    /** Source indices and weights for resizing [start, start+length) to {@code size} samples. */
    private void sourceIndices(int start, int length, boolean reverse, int offset, long[] lo, long[] hi, float[] weight) {
        double scale = (double) length / size;
        for (int o = 0; o < size; o++) {
            // align_corners=False: source = (o + 0.5) * scale - 0.5, clamped at the crop's edges
            double src = Math.max(0, (o + 0.5) * scale - 0.5);
            int i0 = Math.min((int) Math.floor(src), length - 1);
            int i1 = Math.min(i0 + 1, length - 1);
            int target = offset + (reverse ? size - 1 - o : o);
            lo[target] = start + i0;
            hi[target] = start + i1;
            weight[target] = (float) (src - i0);
        }
    }

    /**
     * gray = 0.2989 R + 0.587 G + 0.114 B, shape (N,1,H,W). Written as three channel slices
     * because a reduction over the channel axis is strided and several times slower on the CPU.
     */
    private static NDArray gray(NDArray x, Constants k) {
        return x.get(":, 0:1").mul(k.grayR()).addi(x.get(":, 1:2").mul(k.grayG()))
                .addi(x.get(":, 2:3").mul(k.grayB()));
    }

    private static NDArray perSample(NDManager sub, float[] values) {
        return HostTransfer.upload(sub, values, new Shape(values.length, 1, 1, 1));
    }

    /**
     * One step that applies, per sample, either brightness, contrast, saturation or nothing:
     * clip(a x + s gray(x) + m mean(gray(x)), 0, 1) with (a, s, m) = (b, 0, 0) for brightness,
     * (c, 0, 1 - c) for contrast, (f, 1 - f, 0) for saturation and (1, 0, 0) for nothing; these
     * are torchvision's _blend formulas, and exact identities for the (1, 0, 0) samples.
     */
    private static NDArray blendStep(NDArray x, float[] scale, float[] grayWeight, float[] meanWeight, NDManager sub,
            Constants k) {
        int n = scale.length;
        boolean anyGray = false;
        boolean anyMean = false;
        for (int i = 0; i < n; i++) {
            anyGray |= grayWeight[i] != 0f;
            anyMean |= meanWeight[i] != 0f;
        }
        NDArray out = x.mul(perSample(sub, scale));
        if (anyGray || anyMean) {
            NDArray gray = gray(x, k);
            NDArray offset = gray.mul(perSample(sub, grayWeight));
            if (anyMean) {
                // DJL's PyTorch engine reduces one axis at a time: flatten each sample first
                NDArray mean = gray.reshape(n, -1).mean(new int[] {1}, true).reshape(n, 1, 1, 1);
                offset = offset.addi(mean.muli(perSample(sub, meanWeight)));
            }
            out = out.addi(offset);
        }
        return k.unitBox(out);
    }

    private NDArray colourJitter(NDArray x, List<SampleParameters> parameters, NDManager sub, Constants c) {
        int n = parameters.size();
        boolean any = false;
        for (SampleParameters p : parameters) {
            any |= p.jitter();
        }
        if (!any) {
            return x;
        }
        // Samples are sorted by the position of their hue step, so that at each position the
        // (expensive) HSV round trip runs on one contiguous slice only.
        int[] huePosition = new int[n];
        for (int s = 0; s < n; s++) {
            SampleParameters p = parameters.get(s);
            huePosition[s] = 4;
            if (p.jitter() && p.hueShift() != 0f) {
                for (int k = 0; k < 4; k++) {
                    if (p.jitterOrder()[k] == HUE) {
                        huePosition[s] = k;
                    }
                }
            }
        }
        int[] start = new int[6];
        for (int s = 0; s < n; s++) {
            start[huePosition[s] + 1]++;
        }
        for (int k = 1; k < 6; k++) {
            start[k] += start[k - 1];
        }
        int[] sorted = new int[n];
        int[] fill = start.clone();
        for (int s = 0; s < n; s++) {
            sorted[fill[huePosition[s]]++] = s;
        }
        boolean permute = false;
        long[] sortedIndex = new long[n];
        long[] inverse = new long[n];
        for (int i = 0; i < n; i++) {
            sortedIndex[i] = sorted[i];
            inverse[sorted[i]] = i;
            permute |= sorted[i] != i;
        }
        NDArray y = permute ? x.get(new NDIndex("{}", HostTransfer.upload(sub, sortedIndex, new Shape(n)))) : x;
        for (int k = 0; k < 4; k++) {
            float[] scale = new float[n];
            float[] grayWeight = new float[n];
            float[] meanWeight = new float[n];
            boolean used = false;
            for (int i = 0; i < n; i++) {
                SampleParameters p = parameters.get(sorted[i]);
                int op = p.jitter() ? p.jitterOrder()[k] : -1;
                scale[i] = 1f;
                if (op == BRIGHTNESS) {
                    scale[i] = p.brightness();
                } else if (op == CONTRAST) {
                    scale[i] = p.contrast();
                    meanWeight[i] = 1f - p.contrast();
                } else if (op == SATURATION) {
                    scale[i] = p.saturation();
                    grayWeight[i] = 1f - p.saturation();
                }
                used |= scale[i] != 1f;
            }
            if (used) {
                y = blendStep(y, scale, grayWeight, meanWeight, sub, c);
            }
            if (start[k + 1] > start[k]) {
                float[] shifts = new float[start[k + 1] - start[k]];
                for (int i = start[k]; i < start[k + 1]; i++) {
                    shifts[i - start[k]] = parameters.get(sorted[i]).hueShift();
                }
                y = replaceRows(y, start[k], start[k + 1], shiftHue(y.get(start[k] + ":" + start[k + 1]),
                        perSample(sub, shifts), sub, c));
            }
        }
        return permute ? y.get(new NDIndex("{}", HostTransfer.upload(sub, inverse, new Shape(n)))) : y;
    }

    /**
     * {@code y} with rows [from, to) replaced by {@code rows}, built out of place by concatenation.
     * Writing into {@code y} instead (index_put_) would bump the version of the tensor whose slices
     * the hue step's max/min saved for backward, and autograd then refuses to differentiate the
     * augmentation, which EoT needs (RoCL table 3, AutoAttack's rand version).
     */
    private static NDArray replaceRows(NDArray y, int from, int to, NDArray rows) {
        long n = y.getShape().get(0);
        NDList parts = new NDList();
        if (from > 0) {
            parts.add(y.get("0:" + from));
        }
        parts.add(rows);
        if (to < n) {
            parts.add(y.get(to + ":"));
        }
        return parts.size() == 1 ? rows : NDArrays.concat(parts, 0);
    }

    /**
     * Hue rotation through HSV: torchvision's _rgb2hsv for the hue (in sixths of the circle,
     * h6 in [-1, 5)), then the closed form of HSV -> RGB, channel(n) = V - V S clip(min(k, 4 - k), 0, 1)
     * with k = (n + h6 + 6 shift) mod 6 and n = 5, 3, 1 for R, G, B (equal to torchvision's
     * piecewise p/q/t form; V = max, V S = max - min). No where/mod/channel reductions: those
     * are the slow operations on the CPU.
     */
    static NDArray shiftHue(NDArray x, NDArray shift, NDManager sub) {
        return shiftHue(x, shift, sub, Constants.of(DeviceScalars.uncounted(), sub, x));
    }

    private static NDArray shiftHue(NDArray x, NDArray shift, NDManager sub, Constants k) {
        NDArray r = x.get(":, 0:1");
        NDArray g = x.get(":, 1:2");
        NDArray b = x.get(":, 2:3");
        NDArray maxc = r.maximum(g).maximum(b);
        NDArray minc = r.minimum(g).minimum(b);
        NDArray range = maxc.sub(minc);
        // where max == min all differences below are 0 too, so any positive divisor gives h = 0 as in torchvision
        NDArray divisor = range.maximum(k.tiny());
        NDArray isR = maxc.eq(r).toType(DataType.FLOAT32, false);
        NDArray notR = isR.neg().addi(k.one());
        NDArray isG = maxc.eq(g).toType(DataType.FLOAT32, false).muli(notR);
        NDArray isB = notR.subi(isG);
        NDArray hueR = g.sub(b).muli(isR);
        NDArray hueG = b.sub(r).addi(divisor.mul(k.two())).muli(isG);
        NDArray hueB = r.sub(g).addi(divisor.mul(k.four())).muli(isB);
        NDArray h6 = hueR.addi(hueG).addi(hueB).divi(divisor);
        // + 12 keeps the argument positive for any |shift| <= 0.5
        NDArray channelOffset = shift.mul(k.six()).addi(k.twelve())
                .add(HostTransfer.upload(sub, x.getDevice(), FloatBuffer.wrap(new float[] {5f, 3f, 1f}),
                        new Shape(1, 3, 1, 1), DataType.FLOAT32));
        NDArray v = channelOffset.add(h6);
        NDArray kk = v.sub(v.div(k.six()).floor().muli(k.six()));
        NDArray ramp = k.unitBox(kk.minimum(kk.neg().addi(k.four())));
        return maxc.sub(ramp.muli(range));
    }

    private static NDArray grayscale(NDArray x, List<SampleParameters> parameters, NDManager sub, Constants k) {
        int n = parameters.size();
        float[] scale = new float[n];
        float[] grayWeight = new float[n];
        boolean any = false;
        for (int s = 0; s < n; s++) {
            boolean gray = parameters.get(s).grayscale();
            // 0 x + 1 gray is exactly gray in every channel; 1 x + 0 gray is exactly x
            scale[s] = gray ? 0f : 1f;
            grayWeight[s] = gray ? 1f : 0f;
            any |= gray;
        }
        return any ? blendStep(x, scale, grayWeight, new float[n], sub, k) : x;
    }

    /**
     * Settings of {@link SimClrAugmentation}. Defaults (METHODS.md, the papers' CIFAR setting):
     * size 32, scale [0.08, 1], ratio [3/4, 4/3], flip p = 0.5, ColorJitter(0.4, 0.4, 0.4, 0.1)
     * with p = 0.8, grayscale p = 0.2.
     */
    public static final class Builder {
        private int size = 32;
        private double scaleMin = 0.08;
        private double scaleMax = 1.0;
        private double ratioMin = 3.0 / 4.0;
        private double ratioMax = 4.0 / 3.0;
        private double flipProbability = 0.5;
        private double brightness = 0.4;
        private double contrast = 0.4;
        private double saturation = 0.4;
        private double hue = 0.1;
        private double jitterProbability = 0.8;
        private double grayscaleProbability = 0.2;
        private DeviceScalars scalars = DeviceScalars.uncounted();

        private Builder() {}

        /** How the per-call constants are made (a counting hook in tests; uncounted by default). */
        public Builder optScalars(DeviceScalars through) {
            this.scalars = java.util.Objects.requireNonNull(through);
            return this;
        }

        /** Output height and width (default 32). */
        public Builder optSize(int size) {
            if (size <= 0) {
                throw new IllegalArgumentException("size must be positive, got " + size);
            }
            this.size = size;
            return this;
        }

        /** Range of the crop's area fraction (default 0.08 to 1). */
        public Builder optScale(double min, double max) {
            if (!(min > 0 && min <= max && max <= 1)) {
                throw new IllegalArgumentException("scale range must satisfy 0 < min <= max <= 1, got " + min + ", " + max);
            }
            this.scaleMin = min;
            this.scaleMax = max;
            return this;
        }

        /** Range of the crop's aspect ratio width/height (default 3/4 to 4/3). */
        public Builder optRatio(double min, double max) {
            if (!(min > 0 && min <= max)) {
                throw new IllegalArgumentException("ratio range must satisfy 0 < min <= max, got " + min + ", " + max);
            }
            this.ratioMin = min;
            this.ratioMax = max;
            return this;
        }

        /** Probability of a horizontal flip (default 0.5). */
        public Builder optFlipProbability(double p) {
            this.flipProbability = probability("flip probability", p);
            return this;
        }

        /** ColorJitter strengths (default 0.4, 0.4, 0.4, 0.1); hue must lie in [0, 0.5]. */
        public Builder optColorJitter(double brightness, double contrast, double saturation, double hue) {
            if (brightness < 0 || contrast < 0 || saturation < 0 || hue < 0 || hue > 0.5) {
                throw new IllegalArgumentException("jitter strengths must be >= 0 and hue <= 0.5, got "
                        + brightness + ", " + contrast + ", " + saturation + ", " + hue);
            }
            this.brightness = brightness;
            this.contrast = contrast;
            this.saturation = saturation;
            this.hue = hue;
            return this;
        }

        /** Probability that colour jitter applies (default 0.8). */
        public Builder optJitterProbability(double p) {
            this.jitterProbability = probability("jitter probability", p);
            return this;
        }

        /** Probability of grayscale conversion (default 0.2). */
        public Builder optGrayscaleProbability(double p) {
            this.grayscaleProbability = probability("grayscale probability", p);
            return this;
        }

        private static double probability(String name, double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(name + " must lie in [0,1], got " + p);
            }
            return p;
        }

        public SimClrAugmentation build() {
            return new SimClrAugmentation(this);
        }
    }
}
