package io.robustcl.ml.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.device.NativeSetup.CudaRuntime;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The cases DJL 0.25 cannot start in, as {@link NativeSetup} tells them, on made-up hosts. */
class NativeSetupTest {

  static final CudaRuntime NONE = new CudaRuntime(false, 0, 0);
  static final CudaRuntime CUDA_118_TWO_GPUS = new CudaRuntime(true, 11080, 2);

  static NativeSetup bundled(int osGpus, String flavour, CudaRuntime cuda) {
    return new NativeSetup(osGpus, flavour, null, false, null, null, cuda);
  }

  static NativeSetup hostLibtorch(boolean hasLibtorch, String version, String flavour, CudaRuntime cuda) {
    return new NativeSetup(2, "cu118", "/opt/libtorch/lib", hasLibtorch, version, flavour, cuda);
  }

  static String problem(NativeSetup setup) {
    return setup.problem(true).orElse("");
  }

  @Test
  void aCpuBuildOnACpuHostAndACu118BuildWithItsRuntimeAreFine() {
    assertEquals(Optional.empty(), bundled(0, "cpu", CudaRuntime.NOT_PROBED).problem(true));
    assertEquals(Optional.empty(), bundled(2, "cu118", CUDA_118_TWO_GPUS).problem(true));
    assertEquals(Optional.empty(), bundled(2, "cu118", new CudaRuntime(true, 12010, 2)).problem(true));
    // a GPU host may run a cpu build when no stage wants a GPU (--device cpu)
    assertEquals(Optional.empty(), bundled(2, "cpu", NONE).problem(false));
  }

  @Test
  void aGpuHostWithoutTheCudaRuntimeSaysWhatToInstall() {
    String p = problem(bundled(2, "cu118", NONE));
    assertTrue(p.contains("libcudart.so, 11.8 or newer") && p.contains("LD_LIBRARY_PATH"), p);
    assertTrue(p.contains("PYTORCH_LIBRARY_PATH") && p.contains("--build cpu"), p);
    assertFalse(p.contains("\n"), "one line");
  }

  @Test
  void anOldRuntimeADriverThatRefusesItAndACpuBuildOnAGpuHostAreNamed() {
    assertTrue(problem(bundled(2, "cu118", new CudaRuntime(true, 11070, 2))).contains("is 11.7"));
    String driver = problem(bundled(2, "cu118", new CudaRuntime(true, 11080, 0)));
    assertTrue(driver.contains("reports no usable GPU although the OS shows 2"), driver);
    assertTrue(problem(bundled(0, "cu118", new CudaRuntime(true, 11080, 0))).contains("--build cpu"));
    String cpuBuild = problem(bundled(2, "cpu", NONE));
    assertTrue(cpuBuild.contains("2 NVIDIA GPU(s) but the build is cpu") && cpuBuild.contains("--build cu118"), cpuBuild);
    assertTrue(problem(bundled(0, null, NONE)).contains("no pytorch-native jar"));
  }

  @Test
  void aHostLibtorchNeedsTheLibraryVersion201AndAShippedJniFlavour() {
    assertEquals(Optional.empty(), hostLibtorch(true, null, "cu118-precxx11", NONE).problem(true));
    assertEquals(Optional.empty(), hostLibtorch(true, "2.0.1", null, CUDA_118_TWO_GPUS).problem(true));
    assertTrue(problem(hostLibtorch(false, null, null, NONE)).contains("has no libtorch.so"));
    assertTrue(problem(hostLibtorch(true, "2.1.0", null, NONE)).contains("PYTORCH_VERSION=2.1.0"));
    // DJL derives cu121-precxx11 from a CUDA 12.1 runtime; pytorch-jni has no such JNI library
    String p = problem(hostLibtorch(true, null, null, new CudaRuntime(true, 12010, 1)));
    assertTrue(p.contains("cu121-precxx11") && p.contains("PYTORCH_FLAVOR=cu118-precxx11"), p);
  }

  @Test
  void thisHostIsReadWithoutProblems() {
    // the test class path carries the cpu build; PYTORCH_LIBRARY_PATH is not set for the tests
    NativeSetup here = NativeSetup.ofThisHost(0);
    assertEquals("cpu", here.bundledFlavour());
    assertEquals(Optional.empty(), here.problem(false));
  }

  @Test
  void aScopeOpeningWaitsForADrawInProgress() throws Exception {
    ComputeScope.open("cpu", 7).close(); // the engine is started: an open takes milliseconds now
    CompletableFuture<Void> opened;
    synchronized (EngineDraws.lock()) {
      opened = CompletableFuture.runAsync(() -> ComputeScope.open("cpu", 7).close());
      try {
        opened.get(300, TimeUnit.MILLISECONDS);
        throw new AssertionError("the scope reseeded PyTorch while a draw held the generator");
      } catch (TimeoutException expected) {
        // still waiting for the lock
      }
    }
    opened.get(30, TimeUnit.SECONDS);
  }
}
