package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MlRuntimeVersionsTest {

  @Test
  void reportsDjlAndThePytorchNativeBuildWithoutLoadingIt() {
    Map<String, String> versions = new MlRuntimeVersions().versions();
    assertEquals("0.25.0", versions.get("djl"));
    assertEquals("2.0.1", versions.get("pytorch"));
    assertEquals("cpu", versions.get("pytorch_flavor"), "the test class path carries the cpu native build");
  }
}
