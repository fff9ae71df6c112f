package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.robustcl.ml.device.GpuMath;
import io.robustcl.pipeline.exec.EngineModule;
import io.robustcl.pipeline.exec.RuntimeVersions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every manifest records the run's cuDNN-benchmark and TF32 choices (issue 14, determinism). */
class GpuMathSettingsTest {

  static Map<String, String> recorded() {
    Set<RuntimeVersions> all = Guice.createInjector(new EngineModule(), new StagesModule())
        .getInstance(Key.get(new TypeLiteral<Set<RuntimeVersions>>() {}));
    Map<String, String> out = new HashMap<>();
    all.forEach(v -> out.putAll(v.versions()));
    return out;
  }

  @Test
  void theManifestsSayWhetherCudnnBenchmarkAndTf32WereOn() {
    String before = System.getProperty(GpuMath.CUDNN_BENCHMARK_PROPERTY);
    try {
      System.clearProperty(GpuMath.CUDNN_BENCHMARK_PROPERTY);
      assertEquals("off", recorded().get("cudnn_benchmark"));
      GpuMath.enableCudnnBenchmark();
      assertEquals("on", recorded().get("cudnn_benchmark"));
      assertEquals(GpuMath.tf32Disabled() ? "off (NVIDIA_TF32_OVERRIDE=0)" : "default", recorded().get("tf32"));
    } finally {
      if (before == null) {
        System.clearProperty(GpuMath.CUDNN_BENCHMARK_PROPERTY);
      } else {
        System.setProperty(GpuMath.CUDNN_BENCHMARK_PROPERTY, before);
      }
    }
  }
}
