package io.robustcl.ml.device;

import java.util.Map;

/**
 * The run-wide GPU arithmetic choices that change results without changing what is computed:
 * cuDNN's algorithm autotuning and TF32. Both are off the stage keys (see README, "Determinism
 * on a GPU") and recorded in every manifest through {@link #settings()}.
 *
 * <p>DJL 0.25 exposes neither a deterministic-cuDNN switch nor TF32 control. PyTorch 2.0 runs
 * convolutions in TF32 on Ampere and newer GPUs by default; NVIDIA's driver-level {@code
 * NVIDIA_TF32_OVERRIDE=0} forces full FP32, but it must be in the environment before CUDA
 * starts, which is why the launcher, not Java, sets it.
 */
public final class GpuMath {

  /** Read by DJL's PtEngine when it starts: {@code torch.backends.cudnn.benchmark}. */
  public static final String CUDNN_BENCHMARK_PROPERTY = "ai.djl.pytorch.cudnn_benchmark";
  /** NVIDIA's driver switch: {@code 0} disables TF32 in cuBLAS and cuDNN. */
  public static final String TF32_OVERRIDE_VARIABLE = "NVIDIA_TF32_OVERRIDE";

  private GpuMath() {}

  /**
   * Lets cuDNN time its convolution algorithms per input shape and keep the fastest: faster
   * convolutions after the first steps, but the choice can differ between runs, so reruns are not
   * bit-identical. Must be called before PyTorch starts (before the first stage computes).
   */
  public static void enableCudnnBenchmark() {
    System.setProperty(CUDNN_BENCHMARK_PROPERTY, "true");
  }

  /** Whether this process runs with TF32 disabled ({@code NVIDIA_TF32_OVERRIDE=0}). */
  public static boolean tf32Disabled() {
    return "0".equals(System.getenv(TF32_OVERRIDE_VARIABLE));
  }

  /** For manifests: {@code cudnn_benchmark} on/off, {@code tf32} off or default. */
  public static Map<String, String> settings() {
    return Map.of(
        "cudnn_benchmark", Boolean.getBoolean(CUDNN_BENCHMARK_PROPERTY) ? "on" : "off",
        "tf32", tf32Disabled() ? "off (NVIDIA_TF32_OVERRIDE=0)" : "default");
  }
}
