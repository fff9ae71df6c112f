package io.robustcl.ml.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ComputeScopeTest {

  @Test
  void parsesDeviceSpecs() {
    assertEquals(new DeviceSpec(DeviceSpec.Kind.AUTO, -1), DeviceSpec.parse("auto"));
    assertEquals(new DeviceSpec(DeviceSpec.Kind.CPU, -1), DeviceSpec.parse(" CPU "));
    assertEquals(new DeviceSpec(DeviceSpec.Kind.GPU, 0), DeviceSpec.parse("gpu"));
    assertEquals(new DeviceSpec(DeviceSpec.Kind.GPU, 3), DeviceSpec.parse("gpu:3"));
    assertEquals("gpu:3", DeviceSpec.parse("GPU:3").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tpu", "gpu:", "gpu:-1", "gpu:x", "cpu:0", "gpu 1", "gpu:123456"})
  void rejectsBadDeviceSpecsNamingTheValue(String bad) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse(bad));
    assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("gpu:<index>"), e.getMessage());
  }

  @Test
  void resolvesAgainstVisibleGpus() {
    assertEquals(Device.cpu(), ComputeScope.resolve(DeviceSpec.parse("auto"), 0));
    assertEquals(Device.gpu(0), ComputeScope.resolve(DeviceSpec.parse("auto"), 2));
    assertEquals(Device.cpu(), ComputeScope.resolve(DeviceSpec.parse("cpu"), 2));
    assertEquals(Device.gpu(1), ComputeScope.resolve(DeviceSpec.parse("gpu:1"), 2));
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> ComputeScope.resolve(DeviceSpec.parse("gpu"), 0));
    assertTrue(none.getMessage().contains("gpu:0") && none.getMessage().contains("0 GPU"), none.getMessage());
    IllegalArgumentException tooHigh =
        assertThrows(IllegalArgumentException.class, () -> ComputeScope.resolve(DeviceSpec.parse("gpu:2"), 2));
    assertTrue(tooHigh.getMessage().contains("gpu:0 .. gpu:1"), tooHigh.getMessage());
  }

  @Test
  void openingAMissingGpuFails() {
    Assumptions.assumeTrue(Engine.getInstance().getGpuCount() == 0, "this host has a GPU");
    assertThrows(IllegalArgumentException.class, () -> ComputeScope.open("gpu:0", 1));
  }

  @Test
  void scopeOwnsItsManagerAndSeedsBothSides() {
    float[] first;
    long[] javaFirst = new long[4];
    NDManager closedLater;
    try (ComputeScope scope = ComputeScope.open("cpu", 42)) {
      assertEquals(Device.cpu(), scope.device());
      assertEquals(42, scope.seed());
      first = scope.manager().randomUniform(0, 1, new Shape(16)).toFloatArray();
      for (int i = 0; i < javaFirst.length; i++) {
        javaFirst[i] = scope.random().nextLong();
      }
      closedLater = scope.manager();
      assertTrue(closedLater.isOpen());
    }
    assertFalse(closedLater.isOpen());
    try (ComputeScope again = ComputeScope.open("auto", 42)) {
      assertArrayEquals(first, again.manager().randomUniform(0, 1, new Shape(16)).toFloatArray());
      for (long expected : javaFirst) {
        assertEquals(expected, again.random().nextLong());
      }
    }
    try (ComputeScope other = ComputeScope.open("cpu", 43)) {
      assertFalse(java.util.Arrays.equals(first, other.manager().randomUniform(0, 1, new Shape(16)).toFloatArray()));
    }
  }

  @Test
  void childGeneratorsDependOnSeedAndNameOnly() {
    SeededRandoms a = new SeededRandoms(7);
    SeededRandoms b = new SeededRandoms(7);
    a.root().nextLong(); // drawing elsewhere must not shift a child's stream
    RandomGenerator loaderA = a.child("loader");
    RandomGenerator loaderB = b.child("loader");
    for (int i = 0; i < 8; i++) {
      assertEquals(loaderA.nextLong(), loaderB.nextLong());
    }
    assertNotEquals(a.childSeed("loader"), a.childSeed("augment"));
    assertNotEquals(a.childSeed("loader"), new SeededRandoms(8).childSeed("loader"));
    assertNotEquals(a.child("loader").nextLong(), a.child("augment").nextLong());
  }

  @Test
  void versionsComeFromTheClasspathJars() {
    Map<String, String> v = ComputeScope.versions();
    assertTrue(v.get("djl").matches("\\d+\\.\\d+\\.\\d+"), v.toString());
    assertTrue(v.get("pytorch").matches("\\d+\\.\\d+\\.\\d+"), v.toString());
    assertTrue(v.get("pytorch_native").startsWith(v.get("pytorch")), v.toString());
    assertEquals(Engine.getDjlVersion(), v.get("djl"));
  }
}
