package io.robustcl.ml.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimClrAugmentationTest {
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static NDArray randomImages(int n, int h, int w, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n * 3 * h * w];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(256) / 255f;
        }
        return manager.create(values, new Shape(n, 3, h, w));
    }

    private static SimClrAugmentation.SampleParameters plain(int h, int w, boolean flip, boolean gray) {
        return new SimClrAugmentation.SampleParameters(0, 0, h, w, flip, false, 1f, 1f, 1f, 0f, new int[] {0, 1, 2, 3}, gray);
    }

    private static SimClrAugmentation.SampleParameters jitter(float b, float c, float s, float hue, int... order) {
        return new SimClrAugmentation.SampleParameters(0, 0, 8, 8, false, true, b, c, s, hue, order, false);
    }

    private static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void flipTwiceIsIdentityAndFlipOnceMirrors() {
        SimClrAugmentation t = SimClrAugmentation.builder().optSize(8).build();
        NDArray x = randomImages(4, 8, 8, 1);
        List<SimClrAugmentation.SampleParameters> flip = List.of(plain(8, 8, true, false), plain(8, 8, true, false),
                plain(8, 8, false, false), plain(8, 8, true, false));
        NDArray once = t.apply(x, flip);
        NDArray twice = t.apply(once, flip);
        assertEquals(0f, maxAbsDiff(twice, x));
        assertEquals(0f, maxAbsDiff(once.get("0:2"), x.get("0:2").flip(3)));
        assertEquals(0f, maxAbsDiff(once.get("2"), x.get("2")));
        assertTrue(maxAbsDiff(once.get("0"), x.get("0")) > 0.1f);
    }

    @Test
    void grayscaleHasEqualChannelsWithTorchvisionWeights() {
        SimClrAugmentation t = SimClrAugmentation.builder().optSize(8).build();
        NDArray x = randomImages(2, 8, 8, 2);
        NDArray out = t.apply(x, List.of(plain(8, 8, false, true), plain(8, 8, false, false)));
        NDArray g = out.get("0");
        assertEquals(0f, maxAbsDiff(g.get("0"), g.get("1")));
        assertEquals(0f, maxAbsDiff(g.get("0"), g.get("2")));
        NDArray expected = x.get("0, 0").mul(0.2989f).add(x.get("0, 1").mul(0.587f)).add(x.get("0, 2").mul(0.114f));
        assertTrue(maxAbsDiff(g.get("0"), expected) < 1e-6f);
        assertEquals(0f, maxAbsDiff(out.get("1"), x.get("1")));
    }

    @Test
    void cropsComeFromInsideTheImage() {
        // a constant background with a marker block at rows 4..11, columns 6..13 of a 16x16 image
        int h = 16;
        float[] values = new float[3 * h * h];
        for (int ch = 0; ch < 3; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < h; x++) {
                    boolean marker = y >= 4 && y < 12 && x >= 6 && x < 14;
                    values[(ch * h + y) * h + x] = marker ? (ch == 0 ? 1f : 0f) : 0.5f;
                }
            }
        }
        NDArray image = manager.create(values, new Shape(1, 3, h, h));
        SimClrAugmentation t = SimClrAugmentation.builder().optSize(16).build();
        var onMarker = new SimClrAugmentation.SampleParameters(4, 6, 8, 8, false, false, 1f, 1f, 1f, 0f, new int[] {0, 1, 2, 3}, false);
        NDArray out = t.apply(image, List.of(onMarker));
        assertEquals(1f, out.get("0, 0").min().getFloat());
        assertEquals(0f, out.get("0, 1:3").max().getFloat());

        // random crops of a constant image stay that constant: no padding is ever sampled
        SimClrAugmentation random = SimClrAugmentation.builder().optSize(16).optJitterProbability(0)
                .optGrayscaleProbability(0).build();
        NDArray constant = manager.full(new Shape(64, 3, 12, 20), 0.25f);
        NDArray crops = random.apply(constant, new SplittableRandom(3));
        assertEquals(new Shape(64, 3, 16, 16), crops.getShape());
        assertTrue(maxAbsDiff(crops, manager.full(crops.getShape(), 0.25f)) < 1e-6f);
        for (var p : random.drawParameters(1000, 12, 20, new SplittableRandom(4))) {
            assertTrue(p.top() >= 0 && p.left() >= 0 && p.cropHeight() > 0 && p.cropWidth() > 0, p.toString());
            assertTrue(p.top() + p.cropHeight() <= 12 && p.left() + p.cropWidth() <= 20, p.toString());
        }
    }

    @Test
    void zeroStrengthJitterIsIdentity() {
        SimClrAugmentation t = SimClrAugmentation.builder().optSize(8).optScale(1, 1).optRatio(1, 1)
                .optFlipProbability(0).optGrayscaleProbability(0).optJitterProbability(1)
                .optColorJitter(0, 0, 0, 0).build();
        NDArray x = randomImages(16, 8, 8, 5);
        NDArray out = t.apply(x, new SplittableRandom(6));
        assertEquals(0f, maxAbsDiff(out, x));
        // the HSV round trip alone (shift 0) is the identity up to float rounding
        NDArray roundTrip = SimClrAugmentation.shiftHue(x, manager.zeros(new Shape(16, 1, 1, 1)), manager);
        assertTrue(maxAbsDiff(roundTrip, x) < 1e-5f);
    }

    @Test
    void hueShiftMatchesJavaAwtHsv() {
        int n = 6;
        NDArray x = randomImages(n, 4, 4, 7);
        float[] shifts = {0.1f, -0.1f, 0.05f, 1f / 3, -0.07f, 0.5f};
        NDArray out = SimClrAugmentation.shiftHue(x, manager.create(shifts, new Shape(n, 1, 1, 1)), manager);
        float[] in = x.toFloatArray();
        float[] got = out.toFloatArray();
        for (int s = 0; s < n; s++) {
            for (int p = 0; p < 16; p++) {
                int base = s * 48 + p;
                int r = Math.round(in[base] * 255);
                int g = Math.round(in[base + 16] * 255);
                int b = Math.round(in[base + 32] * 255);
                float[] hsb = Color.RGBtoHSB(r, g, b, null);
                float hue = (float) ((hsb[0] + shifts[s] + 2) % 1.0);
                Color expected = new Color(Color.HSBtoRGB(hue, hsb[1], hsb[2]));
                // AWT rounds its output to 8 bits
                assertEquals(expected.getRed() / 255f, got[base], 1.5f / 255, "R of sample " + s + " pixel " + p);
                assertEquals(expected.getGreen() / 255f, got[base + 16], 1.5f / 255, "G of sample " + s + " pixel " + p);
                assertEquals(expected.getBlue() / 255f, got[base + 32], 1.5f / 255, "B of sample " + s + " pixel " + p);
            }
        }
    }

    @Test
    void jitterOperationsFollowTorchvisionDefinitionsAndPerSampleOrder() {
        SimClrAugmentation t = SimClrAugmentation.builder().optSize(8).build();
        NDArray one = randomImages(1, 8, 8, 8);
        NDArray x = one.repeat(0, 4);
        List<SimClrAugmentation.SampleParameters> ps = List.of(
                jitter(1.3f, 1f, 1f, 0f, 0, 1, 2, 3),
                jitter(1f, 0.7f, 1f, 0f, 3, 2, 1, 0),
                jitter(1.3f, 0.6f, 1f, 0f, 0, 1, 2, 3),   // brightness then contrast
                jitter(1.3f, 0.6f, 1f, 0f, 1, 0, 2, 3));  // contrast then brightness
        float[] out = t.apply(x, ps).toFloatArray();
        float[] in = one.toFloatArray();
        float[] bright = brightness(in, 1.3f);
        assertArrayEquals(bright, slice(out, 0), 1e-6f);
        assertArrayEquals(contrast(in, 0.7f), slice(out, 1), 1e-5f);
        assertArrayEquals(contrast(bright, 0.6f), slice(out, 2), 1e-5f);
        assertArrayEquals(brightness(contrast(in, 0.6f), 1.3f), slice(out, 3), 1e-5f);
        assertFalse(java.util.Arrays.equals(slice(out, 2), slice(out, 3)));
    }

    private static float[] slice(float[] all, int sample) {
        return java.util.Arrays.copyOfRange(all, sample * 192, (sample + 1) * 192);
    }

    private static float[] brightness(float[] in, float f) {
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = Math.min(1f, Math.max(0f, in[i] * f));
        }
        return out;
    }

    private static float[] contrast(float[] in, float f) {
        int plane = in.length / 3;
        double mean = 0;
        for (int p = 0; p < plane; p++) {
            mean += 0.2989 * in[p] + 0.587 * in[p + plane] + 0.114 * in[p + 2 * plane];
        }
        mean /= plane;
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (float) Math.min(1, Math.max(0, f * in[i] + (1 - f) * mean));
        }
        return out;
    }

    /**
     * EoT (RoCL table 3, AutoAttack's rand version) differentiates through T: the gradient of
     * sum(w * T(x)) with respect to x must exist when the hue step follows another jitter step
     * (it used to write its result into the batch in place, which autograd rejects), must match a
     * central finite difference along a random direction, and must be finite on grey pixels
     * (max = min, where the hue is undefined).
     */
    @Test
    void gradientFlowsThroughEveryStepIncludingHueAfterOtherJitterSteps() {
        SimClrAugmentation t = SimClrAugmentation.builder().optSize(8).build();
        int n = 6;
        Random random = new Random(21);
        float[] values = new float[n * 3 * 8 * 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.3f + 0.4f * random.nextFloat();
        }
        // sample 5 is grey: every pixel has R = G = B
        for (int p = 0; p < 64; p++) {
            int base = 5 * 192 + p;
            values[base + 64] = values[base];
            values[base + 128] = values[base];
        }
        NDArray x = manager.create(values, new Shape(n, 3, 8, 8));
        List<SimClrAugmentation.SampleParameters> ps = List.of(
                new SimClrAugmentation.SampleParameters(1, 0, 6, 7, true, true, 1.1f, 0.9f, 1.2f, 0.07f, new int[] {0, 3, 1, 2}, false),
                jitter(0.9f, 1.1f, 0.8f, -0.05f, 2, 1, 3, 0),
                jitter(1.05f, 0.95f, 1.1f, 0.03f, 1, 2, 0, 3),
                jitter(1f, 1f, 1f, 0.08f, 3, 0, 1, 2),
                new SimClrAugmentation.SampleParameters(0, 1, 7, 7, false, true, 0.95f, 1.05f, 0.9f, -0.02f, new int[] {1, 3, 0, 2}, true),
                jitter(1.1f, 0.9f, 1.1f, 0.04f, 0, 3, 2, 1));
        NDArray w = manager.randomUniform(-1f, 1f, new Shape(n, 3, 8, 8));
        NDArray leaf = x.duplicate();
        leaf.setRequiresGradient(true);
        try (io.robustcl.ml.device.GradientTape tape = io.robustcl.ml.device.GradientTape.record()) {
            tape.backward(t.apply(leaf, ps).mul(w).sum());
        }
        NDArray gradient = leaf.getGradient();
        assertTrue(gradient.isInfinite().logicalOr(gradient.isNaN()).none().getBoolean(), "non-finite gradient");
        assertTrue(gradient.get("5").abs().sum().getFloat() > 0f, "no gradient reaches the grey sample");
        // T is not differentiable at grey pixels (the hue of a small colour offset depends on its
        // direction), and factors near 1 keep clip's kinks away: compare on samples 0-4 only
        NDArray direction = manager.randomUniform(-1f, 1f, x.getShape());
        direction.set(new ai.djl.ndarray.index.NDIndex("5"), 0f);
        // h small enough that few pixels cross a kink of the piecewise HSV map; sums in float64
        float h = 1e-4f;
        NDArray w64 = w.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
        double plus = t.apply(x.add(direction.mul(h)), ps).toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                .mul(w64).sum().getDouble();
        double minus = t.apply(x.sub(direction.mul(h)), ps).toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                .mul(w64).sum().getDouble();
        double numeric = (plus - minus) / (2 * h);
        double analytic = gradient.mul(direction).sum().getFloat();
        assertEquals(numeric, analytic, 0.01 * Math.abs(numeric) + 1e-3, "directional derivative");
    }

    @Test
    void parametersDifferAcrossTheBatchAndOutputsStayInRange() {
        SimClrAugmentation t = SimClrAugmentation.builder().build();
        List<SimClrAugmentation.SampleParameters> ps = t.drawParameters(64, 32, 32, new SplittableRandom(9));
        Set<List<Integer>> boxes = ps.stream().map(p -> List.of(p.top(), p.left(), p.cropHeight(), p.cropWidth()))
                .collect(Collectors.toSet());
        assertTrue(boxes.size() > 50, "crop boxes: " + boxes.size());
        long flips = ps.stream().filter(SimClrAugmentation.SampleParameters::flip).count();
        long jitters = ps.stream().filter(SimClrAugmentation.SampleParameters::jitter).count();
        long grays = ps.stream().filter(SimClrAugmentation.SampleParameters::grayscale).count();
        assertTrue(flips > 16 && flips < 48, "flips " + flips);
        assertTrue(jitters > 40 && jitters < 64, "jitters " + jitters);
        assertTrue(grays > 2 && grays < 30, "grays " + grays);
        Set<Float> brightness = new HashSet<>();
        ps.stream().filter(SimClrAugmentation.SampleParameters::jitter).forEach(p -> {
            brightness.add(p.brightness());
            assertTrue(p.brightness() >= 0.6f && p.brightness() <= 1.4f);
            assertTrue(Math.abs(p.hueShift()) <= 0.1f);
        });
        assertEquals(jitters, brightness.size());

        // the same image 16 times gives 16 different views, all in [0,1]
        NDArray x = randomImages(1, 32, 32, 10).repeat(0, 16);
        NDArray out = t.apply(x, new SplittableRandom(11));
        assertEquals(new Shape(16, 3, 32, 32), out.getShape());
        assertTrue(out.min().getFloat() >= 0f && out.max().getFloat() <= 1f);
        float[] v = out.toFloatArray();
        Set<Integer> distinct = IntStream.range(0, 16).mapToObj(s -> java.util.Arrays.hashCode(slice3072(v, s)))
                .collect(Collectors.toSet());
        assertEquals(16, distinct.size());
    }

    private static float[] slice3072(float[] all, int sample) {
        return java.util.Arrays.copyOfRange(all, sample * 3072, (sample + 1) * 3072);
    }

    @Test
    void intermediatesAreFreedAndOnlyTheOutputStaysWithTheInputsManager() {
        try (NDManager owner = manager.newSubManager()) {
            NDArray x = owner.randomUniform(0f, 1f, new Shape(8, 3, 16, 16));
            NDArray out = SimClrAugmentation.builder().optSize(16).optJitterProbability(1).optGrayscaleProbability(0.5)
                    .build().apply(x, new SplittableRandom(1));
            assertEquals(2, owner.getManagedArrays().size());
            assertEquals(owner, out.getManager());
            assertEquals(owner, x.getManager());
            assertTrue(x.max().getFloat() <= 1f); // the input is still usable
        }
    }

    @Test
    void sameSeedSameOutputDifferentSeedDifferentOutput() {
        SimClrAugmentation t = SimClrAugmentation.builder().build();
        NDArray x = randomImages(8, 32, 32, 12);
        NDArray a = t.apply(x, new SplittableRandom(13));
        NDArray b = t.apply(x, new SplittableRandom(13));
        NDArray c = t.apply(x, new SplittableRandom(14));
        assertEquals(0f, maxAbsDiff(a, b));
        assertTrue(maxAbsDiff(a, c) > 0.1f);
    }

    @Test
    void noiseIsBoundedClippedAndSeededByTheEngine() {
        NDArray x = randomImages(4, 8, 8, 15);
        ai.djl.engine.Engine.getInstance().setRandomSeed(42);
        NDArray u = new UniformNoise().apply(x, new SplittableRandom(0));
        ai.djl.engine.Engine.getInstance().setRandomSeed(42);
        NDArray u2 = new UniformNoise().apply(x, new SplittableRandom(0));
        assertEquals(0f, maxAbsDiff(u, u2));
        assertTrue(u.min().getFloat() >= 0f && u.max().getFloat() <= 1f);
        NDArray unclipped = u.sub(x).abs();
        assertTrue(unclipped.max().getFloat() <= 0.3f + 1e-6f);
        assertTrue(unclipped.max().getFloat() > 0.2f, "noise this small suggests a wrong amplitude");
        NDArray gauss = new GaussianNoise(0.1f).apply(manager.full(new Shape(8, 3, 32, 32), 0.5f), new SplittableRandom(0));
        float std = gauss.sub(0.5f).pow(2).mean().sqrt().getFloat();
        assertEquals(0.1f, std, 0.01f);
        assertTrue(gauss.min().getFloat() >= 0f && gauss.max().getFloat() <= 1f);
    }
}
