package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.EngineDraws;
import java.util.random.RandomGenerator;

/**
 * RUSH's smoothing noise Q (Gaussian): x + delta, delta ~ N(0, sigma^2) per pixel, clipped to
 * [0,1]. The noise is drawn on the device, seeded from {@code random} ({@link EngineDraws}).
 */
public record GaussianNoise(float sigma) implements ImageTransform {
    public GaussianNoise {
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("Gaussian noise sigma must be >= 0, got " + sigma);
        }
    }

    @Override
    public NDArray apply(NDArray images, RandomGenerator random) {
        if (sigma == 0) {
            return images.duplicate();
        }
        try (NDArray delta = EngineDraws.normal(images.getManager(), random, 0f, sigma, images.getShape(),
                images.getDataType(), images.getDevice())) {
            // clip as maximum/minimum against device scalars: clip makes two scalars and reads both back
            NDArray[] unit = DeviceScalars.uncounted().of(delta.getManager(), images, 0f, 1f);
            NDArray out = images.add(delta).maximum(unit[0]).minimum(unit[1]);
            return out;
        }
    }
}
