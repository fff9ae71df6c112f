package io.robustcl.ml.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The device, seeds and root native-memory owner of one piece of ML work (a stage run, a test).
 *
 * <p>{@link #open} picks the device, seeds DJL/PyTorch and a Java-side generator, and creates the root
 * {@link NDManager}; {@link #close} frees every native array created under that manager and its
 * sub-managers. All ML code takes its manager, device and random generator from a scope explicitly.
 *
 * <p>DJL's random seed ({@link Engine#setRandomSeed}, i.e. {@code torch::manual_seed}) is
 * process-global, so scopes running at once would share one stream. robustcl's engine-side draws
 * (attack starts, RUSH's noise) therefore go through {@link EngineDraws}, which reseeds from the
 * caller's generator for each draw, and everything else draws from {@link #random()} or {@link
 * #random(String)} (model initialisation does). The seed this scope sets at open only covers draws
 * made outside those.
 *
 * <p>Confined to the thread that opens it: {@link #open} switches PyTorch's gradient recording off
 * for that thread and {@link #close} restores it. PyTorch's grad mode is thread-local and on by
 * default; DJL switches it off only on the thread that happens to start the engine, so on any
 * other thread (an engine worker, a test runner) in-place parameter updates would fail with "a leaf
 * Variable that requires grad is being used in an in-place operation". Gradients are recorded
 * inside a {@link GradientTape} only.
 *
 * <p>Not thread-safe: {@link #random()} is a stateful stream.
 */
public final class ComputeScope implements AutoCloseable {

  private final Device device;
  private final long seed;
  private final NDManager manager;
  private final SeededRandoms randoms;
  private final RandomGenerator random;
  private final boolean previousGradMode;

  private ComputeScope(Device device, long seed, NDManager manager, boolean previousGradMode) {
    this.previousGradMode = previousGradMode;
    this.device = device;
    this.seed = seed;
    this.manager = manager;
    this.randoms = new SeededRandoms(seed);
    this.random = randoms.root();
  }

  /**
   * Opens a scope on the requested device.
   *
   * @param device {@code auto} (a GPU if DJL sees one, else the CPU), {@code cpu}, {@code gpu} or {@code
   *     gpu:<i>}
   * @param seed seeds DJL/PyTorch (process-global, see the class comment) and the Java-side generators
   * @throws IllegalArgumentException for a malformed device, or a GPU DJL does not see
   * @throws IllegalStateException when DJL could not start PyTorch here ({@link NativeSetup#problem}),
   *     instead of DJL's attempt to download a build, which offline mode forbids
   */
  public static ComputeScope open(String device, long seed) {
    DeviceSpec spec = DeviceSpec.parse(device);
    NativeSetup.ofThisHost(0).problem(false).ifPresent(problem -> {
      throw new IllegalStateException(problem);
    });
    Engine engine = Engine.getInstance();
    Device resolved = resolve(spec, engine.getGpuCount());
    // under EngineDraws' lock: on CUDA manual_seed reseeds every GPU's generator as well, so a scope
    // opening during another stage's reseed-and-draw would change that draw
    EngineDraws.reseed(engine, (int) (seed ^ (seed >>> 32)));
    boolean previousGradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    return new ComputeScope(resolved, seed, engine.newBaseManager(resolved), previousGradMode);
  }

  /**
   * Maps a device request to a DJL device given how many GPUs are visible.
   *
   * @throws IllegalArgumentException when a GPU is requested that is not visible
   */
  public static Device resolve(DeviceSpec spec, int gpuCount) {
    return switch (spec.kind()) {
      case CPU -> Device.cpu();
      case AUTO -> gpuCount > 0 ? Device.gpu(0) : Device.cpu();
      case GPU -> {
        if (spec.gpuIndex() >= gpuCount) {
          throw new IllegalArgumentException(
              "device '" + spec + "' requested but DJL sees " + gpuCount + " GPU(s)"
                  + (gpuCount == 0 ? "; use --device cpu or auto, or a cu118 build on a GPU host"
                      : "; valid: gpu:0 .. gpu:" + (gpuCount - 1)));
        }
        yield Device.gpu(spec.gpuIndex());
      }
    };
  }

  /** The resolved device. */
  public Device device() {
    return device;
  }

  /** The root manager: every array of this scope lives under it or one of its sub-managers. */
  public NDManager manager() {
    return manager;
  }

  /** The seed this scope was opened with. */
  public long seed() {
    return seed;
  }

  /** The scope's own seeded Java-side generator (one stream; shared by whoever calls this). */
  public RandomGenerator random() {
    return random;
  }

  /**
   * A new generator for the named consumer (data loader, augmentation, attack), reproducible from the
   * scope's seed and the name alone; see {@link SeededRandoms#child(String)}.
   */
  public RandomGenerator random(String name) {
    return randoms.child(name);
  }

  /** The seed {@link #random(String)} uses for {@code name}, for consumers that need a plain long. */
  public long seed(String name) {
    return randoms.childSeed(name);
  }

  /**
   * Versions for run manifests: {@code djl}, {@code pytorch} (the engine's expected native version), and
   * {@code pytorch_native} / {@code pytorch_flavor} (the native jar on the classpath, e.g. {@code cpu} or
   * {@code cu118}) when present. Reads classpath resources only: never loads the engine.
   */
  public static Map<String, String> versions() {
    Map<String, String> out = new LinkedHashMap<>();
    Properties engine = resource("pytorch-engine.properties");
    putIfPresent(out, "djl", engine.getProperty("djl_version"));
    putIfPresent(out, "pytorch", engine.getProperty("pytorch_version"));
    Properties nativeLib = resource("native/lib/pytorch.properties");
    putIfPresent(out, "pytorch_native", nativeLib.getProperty("version"));
    putIfPresent(out, "pytorch_flavor", nativeLib.getProperty("flavor"));
    return Map.copyOf(out);
  }

  private static void putIfPresent(Map<String, String> out, String key, @Nullable String value) {
    if (value != null) {
      out.put(key, value.strip());
    }
  }

  private static Properties resource(String name) {
    Properties p = new Properties();
    ClassLoader loader = ComputeScope.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + name, e);
    }
    return p;
  }

  /** Frees all native memory of this scope. Idempotent. */
  @Override
  public void close() {
    manager.close();
    JniUtils.setGradMode(previousGradMode);
  }

  @Override
  public String toString() {
    return "ComputeScope[" + device + ", seed " + seed + "]";
  }
}
