package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.EngineDraws;
import java.util.random.RandomGenerator;

/**
 * RUSH's smoothing noise Q (uniform): x + delta, delta ~ U(-a, a) per pixel, clipped to [0,1].
 * The noise is drawn on the device, seeded from {@code random} ({@link EngineDraws}).
 */
public record UniformNoise(float amplitude) implements ImageTransform {
    /** RUSH's default amplitude. */
    public static final float DEFAULT_AMPLITUDE = 0.3f;

    public UniformNoise {
        if (!(amplitude >= 0)) {
            throw new IllegalArgumentException("uniform noise amplitude must be >= 0, got " + amplitude);
        }
    }

    public UniformNoise() {
        this(DEFAULT_AMPLITUDE);
    }

    @Override
    public NDArray apply(NDArray images, RandomGenerator random) {
        if (amplitude == 0) {
            return images.duplicate();
        }
        try (NDArray delta = EngineDraws.uniform(images.getManager(), random, -amplitude, amplitude, images.getShape(),
                images.getDataType(), images.getDevice())) {
            // clip as maximum/minimum against device scalars: clip makes two scalars and reads both back
            NDArray[] unit = DeviceScalars.uncounted().of(delta.getManager(), images, 0f, 1f);
            NDArray out = images.add(delta).maximum(unit[0]).minimum(unit[1]);
            return out;
        }
    }
}
