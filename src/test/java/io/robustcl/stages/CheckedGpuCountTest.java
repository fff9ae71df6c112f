package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import io.robustcl.ml.device.NativeSetup;
import io.robustcl.ml.device.NativeSetup.CudaRuntime;
import io.robustcl.pipeline.config.ConfigException;
import io.robustcl.pipeline.exec.EngineModule;
import io.robustcl.pipeline.exec.GpuCount;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class CheckedGpuCountTest {

  static final IntSupplier NEVER = () -> {
    throw new AssertionError("PyTorch was started");
  };

  static CheckedGpuCount count(int os, String flavour, CudaRuntime cuda, IntSupplier djl) {
    return new CheckedGpuCount(() -> os, n -> new NativeSetup(n, flavour, null, false, null, null, cuda), djl);
  }

  @Test
  void aCpuHostWithTheCpuBuildCountsZeroWithoutStartingPyTorch() {
    assertEquals(0, count(0, "cpu", CudaRuntime.NOT_PROBED, NEVER).detect());
  }

  @Test
  void aGpuHostCountsWhatBothTheOsAndPyTorchSee() {
    assertEquals(2, count(2, "cu118", new CudaRuntime(true, 11080, 2), () -> 2).detect());
    // a container whose /proc has no GPU entries while CUDA sees one
    assertEquals(1, count(0, "cu118", new CudaRuntime(true, 11080, 1), () -> 1).detect());
  }

  @Test
  void disagreeingCountsAndAMissingRuntimeFailBeforeAnyStage() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> count(2, "cu118", new CudaRuntime(true, 11080, 2), () -> 1).detect());
    assertTrue(e.getMessage().contains("the OS shows 2 GPU(s)") && e.getMessage().contains("--gpus 1"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> count(2, "cu118", new CudaRuntime(false, 0, 0), NEVER).detect());
    assertTrue(e.getMessage().contains("libcudart.so"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> count(1, "cpu", CudaRuntime.NOT_PROBED, NEVER).detect());
    assertTrue(e.getMessage().contains("--build cu118"), e.getMessage());
  }

  @Test
  void theStagesModuleReplacesTheEnginesOsCount() {
    GpuCount bound = Guice.createInjector(new EngineModule(), new StagesModule()).getInstance(GpuCount.class);
    assertEquals(CheckedGpuCount.class, bound.getClass());
  }
}
