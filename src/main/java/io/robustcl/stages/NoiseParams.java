package io.robustcl.stages;

import io.robustcl.ml.data.GaussianNoise;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.data.UniformNoise;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * RUSH's randomised-smoothing noise Q as params, {@code noise} (none, uniform or gaussian) and
 * {@code noise_scale}; shared by pre-training, head training and the smoothed evaluation so that one
 * spelling names Q everywhere.
 */
final class NoiseParams {

  private NoiseParams() {}

  static List<ParamSpec> specs(String defaultNoise, String what) {
    return List.of(
        ParamSpec.string("noise", defaultNoise, what + ": RUSH's noise Q, none, uniform (U(-s, s)) or gaussian (N(0, s^2))")
            .oneOf("none", "uniform", "gaussian"),
        ParamSpec.floating("noise_scale", 0.3, "Q's half-width s (uniform) or sigma (gaussian); RUSH: uniform 0.3")
            .atLeast(0));
  }

  /** Q, or null for {@code noise: none}. */
  static @Nullable ImageTransform from(Params p) {
    float scale = (float) p.getDouble("noise_scale");
    return switch (p.getString("noise")) {
      case "uniform" -> new UniformNoise(scale);
      case "gaussian" -> new GaussianNoise(scale);
      default -> null;
    };
  }
}
