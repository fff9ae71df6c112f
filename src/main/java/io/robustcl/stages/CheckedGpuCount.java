package io.robustcl.stages;

import ai.djl.engine.Engine;
import io.robustcl.ml.device.NativeSetup;
import io.robustcl.pipeline.config.ConfigException;
import io.robustcl.pipeline.exec.GpuCount;
import io.robustcl.pipeline.exec.SystemGpuCount;
import jakarta.inject.Inject;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * The GPU slots of a run, checked before any stage runs: the OS's count ({@link SystemGpuCount})
 * when DJL can start PyTorch here and sees the same GPUs, else a {@link ConfigException} saying
 * what to install or set ({@link NativeSetup#problem}), or how the two counts differ.
 *
 * <p>The engine asks only for runs whose targets have stages that declare GPUs, and not under
 * {@code --device cpu} or {@code --gpus N}. On a host whose OS shows no GPU and whose build is
 * the cpu one, nothing native is loaded. Otherwise PyTorch is started once to count its GPUs
 * (a second or two), even when every stage turns out cached.
 */
final class CheckedGpuCount implements GpuCount {

  private final IntSupplier osGpus;
  private final IntFunction<NativeSetup> setup;
  private final IntSupplier djlGpus;

  @Inject
  CheckedGpuCount(SystemGpuCount os) {
    this(os::detect, NativeSetup::ofThisHost, () -> Engine.getInstance().getGpuCount());
  }

  CheckedGpuCount(IntSupplier osGpus, IntFunction<NativeSetup> setup, IntSupplier djlGpus) {
    this.osGpus = osGpus;
    this.setup = setup;
    this.djlGpus = djlGpus;
  }

  @Override
  public int detect() {
    int os = osGpus.getAsInt();
    NativeSetup here = setup.apply(os);
    here.problem(true).ifPresent(problem -> {
      throw new ConfigException(problem);
    });
    boolean cudaBuild = here.libraryPath() != null
        || (here.bundledFlavour() != null && here.bundledFlavour().startsWith("cu"));
    if (!cudaBuild) {
      return 0; // a cpu build on a host without GPUs (a cpu build with GPUs is a problem above)
    }
    int djl = djlGpus.getAsInt();
    if (os > 0 && djl != os) {
      String visible = System.getenv("CUDA_VISIBLE_DEVICES");
      throw new ConfigException("the OS shows " + os + " GPU(s) (/proc/driver/nvidia/gpus"
          + (visible == null ? "" : ", CUDA_VISIBLE_DEVICES=" + visible) + ") but PyTorch (DJL) sees " + djl
          + ": check nvidia-smi and CUDA_VISIBLE_DEVICES, or give --gpus " + djl + " to use what PyTorch sees");
    }
    return djl; // also a container whose /proc shows no GPU while CUDA does
  }
}
