package io.robustcl.ml.device;

import ai.djl.util.cuda.CudaUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What decides whether DJL 0.25 can start PyTorch here, and on which device, read without
 * starting it, and {@link #problem} saying what is wrong in one line with the fix.
 *
 * <p>How DJL 0.25 picks its native library (read from {@code LibUtils} and {@code Platform} of
 * the 0.25.0 jars): {@code PYTORCH_LIBRARY_PATH} naming a directory with {@code libtorch.so}
 * wins; its JNI flavour is {@code PYTORCH_FLAVOR}, else {@code cu<runtime>-precxx11} when
 * {@link CudaUtils} sees a GPU, else {@code cpu-precxx11}, and it must be one the pytorch-jni jar
 * ships. Otherwise the bundled native jar is used only if it "matches" the system: a cpu jar
 * always does; a {@code cu118} jar only when {@code CudaUtils.getGpuCount() > 0} and the CUDA
 * runtime DJL loads through JNA ({@code libcudart.so} on the loader path; not the one inside the
 * cu118 jar) is 11.8 or newer. Without a match DJL tries to download a build, which offline mode
 * forbids, and the first stage fails with an error that names neither cause.
 *
 * @param osGpus NVIDIA GPUs the OS shows (after {@code CUDA_VISIBLE_DEVICES})
 * @param bundledFlavour {@code flavor} of the pytorch-native jar on the class path, or null if none
 * @param libraryPath {@code PYTORCH_LIBRARY_PATH}, or null
 * @param libraryPathHasLibtorch whether one of its entries holds {@code libtorch.so}
 * @param versionOverride {@code PYTORCH_VERSION}, or null
 * @param flavourOverride {@code PYTORCH_FLAVOR}, or null
 * @param cuda the CUDA runtime DJL sees; {@link CudaRuntime#NOT_PROBED} when nothing needed it
 */
public record NativeSetup(
    int osGpus,
    @Nullable String bundledFlavour,
    @Nullable String libraryPath,
    boolean libraryPathHasLibtorch,
    @Nullable String versionOverride,
    @Nullable String flavourOverride,
    CudaRuntime cuda) {

  /** The only PyTorch version DJL 0.25's JNI (pytorch-jni 2.0.1-0.25.0) is built for. */
  public static final String PYTORCH_VERSION = "2.0.1";
  /** The linux-x86_64 JNI flavours pytorch-jni 2.0.1-0.25.0 ships. */
  static final Set<String> JNI_FLAVOURS = Set.of("cpu", "cpu-precxx11", "cu118", "cu118-precxx11");

  /**
   * The CUDA runtime as DJL's {@link CudaUtils} sees it.
   *
   * @param loaded whether {@code libcudart} was found on the loader path
   * @param version e.g. {@code 11080} for 11.8, 0 if unknown
   * @param gpus GPUs it reports (0 when the driver refuses it, e.g. a driver older than the runtime)
   */
  public record CudaRuntime(boolean loaded, int version, int gpus) {
    public static final CudaRuntime NOT_PROBED = new CudaRuntime(false, 0, 0);

    /** Asks DJL's {@link CudaUtils} (loads libcudart through JNA, not libtorch). */
    static CudaRuntime probe() {
      int gpus = CudaUtils.getGpuCount();
      try {
        return new CudaRuntime(true, CudaUtils.getCudaVersion(), gpus);
      } catch (IllegalStateException | ai.djl.engine.EngineException e) {
        return new CudaRuntime(false, 0, 0); // "No cuda library is loaded."
      }
    }

    String versionText() {
      return version / 1000 + "." + (version / 10) % 10;
    }
  }

  /**
   * This host's setup. Loads nothing native unless a CUDA build or a host libtorch is in play, or
   * the OS shows GPUs: then DJL's {@link CudaUtils} is asked, which loads libcudart through JNA.
   */
  public static NativeSetup ofThisHost(int osGpus) {
    String bundled = ComputeScope.versions().get("pytorch_flavor");
    String libraryPath = blankToNull(System.getenv("PYTORCH_LIBRARY_PATH"));
    String flavourOverride = blankToNull(System.getenv("PYTORCH_FLAVOR"));
    boolean cudaMatters = osGpus > 0 || libraryPath != null || (bundled != null && bundled.startsWith("cu"));
    return new NativeSetup(osGpus, bundled, libraryPath, libraryPath != null && hasLibtorch(libraryPath),
        blankToNull(System.getenv("PYTORCH_VERSION")), flavourOverride,
        cudaMatters ? CudaRuntime.probe() : CudaRuntime.NOT_PROBED);
  }

  /**
   * What keeps PyTorch from starting, or from using the GPUs, as one line with the fix; empty if
   * nothing does.
   *
   * @param gpuWanted whether the run has stages that should compute on a GPU
   */
  public Optional<String> problem(boolean gpuWanted) {
    if (libraryPath != null) {
      return hostLibtorchProblem();
    }
    if (bundledFlavour == null) {
      return Optional.of("no pytorch-native jar on the class path and no PYTORCH_LIBRARY_PATH: rebuild with"
          + " ./pipeline --build cpu (or cu118); offline, DJL cannot download one");
    }
    if (!bundledFlavour.startsWith("cu")) {
      if (gpuWanted && osGpus > 0) {
        return Optional.of("this host has " + osGpus + " NVIDIA GPU(s) but the build is " + bundledFlavour
            + ": rebuild with ./pipeline --build cu118, or run on the CPU with --device cpu");
      }
      return Optional.empty();
    }
    String fallback = "; or use a host libtorch " + PYTORCH_VERSION + " (PYTORCH_LIBRARY_PATH, see README"
        + " 'GPU hosts'); or ./pipeline --build cpu";
    if (!cuda.loaded()) {
      return Optional.of("the " + bundledFlavour + " build needs NVIDIA's CUDA runtime (libcudart.so, 11.8 or newer)"
          + " on the loader path and none was found: DJL 0.25 finds GPUs through it, not through the runtime inside"
          + " the " + bundledFlavour + " jar, and offline it cannot fall back. Install the CUDA 11.8+ runtime"
          + " (NVIDIA's cuda-cudart-11-8 package) and add its lib64 directory to LD_LIBRARY_PATH" + fallback);
    }
    if (cuda.version() < 11080) {
      return Optional.of("the CUDA runtime on the loader path is " + cuda.versionText() + "; the " + bundledFlavour
          + " build needs 11.8 or newer: put a CUDA 11.8+ libcudart.so first on LD_LIBRARY_PATH" + fallback);
    }
    if (cuda.gpus() == 0) {
      return Optional.of(osGpus > 0
          ? "CUDA runtime " + cuda.versionText() + " is loaded but reports no usable GPU although the OS shows "
              + osGpus + ": the NVIDIA driver is older than the runtime, or CUDA_VISIBLE_DEVICES hides them"
              + " (nvidia-smi must list them)" + fallback
          : "the " + bundledFlavour + " build cannot start PyTorch on a host without a usable GPU (DJL would look for"
              + " a CPU build to download): rebuild with ./pipeline --build cpu");
    }
    return Optional.empty();
  }

  private Optional<String> hostLibtorchProblem() {
    if (!libraryPathHasLibtorch) {
      return Optional.of("PYTORCH_LIBRARY_PATH=" + libraryPath + " has no libtorch.so: point it at the lib directory"
          + " of a libtorch " + PYTORCH_VERSION + ", or unset it to use the bundled build");
    }
    if (versionOverride != null && !versionOverride.equals(PYTORCH_VERSION)) {
      return Optional.of("PYTORCH_VERSION=" + versionOverride + ", but DJL 0.25's JNI is built for PyTorch "
          + PYTORCH_VERSION + " only (offline it cannot fetch another): use a libtorch " + PYTORCH_VERSION
          + " with PYTORCH_VERSION=" + PYTORCH_VERSION + ", or unset it");
    }
    String flavour = flavourOverride != null ? flavourOverride
        : cuda.gpus() > 0 ? "cu" + cuda.version() / 1000 + (cuda.version() / 10) % 10 + "-precxx11" : "cpu-precxx11";
    if (!JNI_FLAVOURS.contains(flavour)) {
      return Optional.of("with PYTORCH_LIBRARY_PATH DJL would use JNI flavour " + flavour
          + (flavourOverride != null ? " (PYTORCH_FLAVOR)" : " (from the CUDA runtime found)")
          + ", which pytorch-jni 2.0.1-0.25.0 does not ship (it has " + String.join(", ", JNI_FLAVOURS.stream()
              .sorted().toList()) + "): set PYTORCH_FLAVOR=cu118-precxx11 for PyTorch's pip wheel libraries, or"
          + " cu118 for the cxx11-ABI libtorch zip");
    }
    return Optional.empty();
  }

  private static boolean hasLibtorch(String path) {
    for (String entry : path.split(java.io.File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path p = Path.of(entry);
      if (Files.isRegularFile(p.resolve(System.mapLibraryName("torch")))
          || (Files.isRegularFile(p) && p.getFileName().toString().equals(System.mapLibraryName("torch")))) {
        return true;
      }
    }
    return false;
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
