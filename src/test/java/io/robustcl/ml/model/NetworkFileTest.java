package io.robustcl.ml.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.device.ComputeScope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkFileTest {

  @TempDir Path dir;
  private ComputeScope scope;
  private ParameterStore ps;

  @BeforeEach
  void open() {
    scope = ComputeScope.open("cpu", 3);
    ps = new ParameterStore(scope.manager(), false);
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private NetworkSpec spec() {
    return new NetworkSpec(
        ResNetSpec.resnet18(4).withBlocks(List.of(1, 2)).withDualBn(true).withNormalization(InputNormalization.CIFAR10),
        List.of(16, 8), 4);
  }

  /** A network whose running statistics have moved away from their initial values. */
  private Network trainedNetwork() {
    Network net = Network.create(spec(), scope.manager(), new SplittableRandom(1));
    NDArray x = scope.manager().randomUniform(0, 1, new Shape(4, 3, 8, 8));
    net.logits(ps, x, true, false);
    net.logits(ps, x.mul(0.5), true, true);
    return net;
  }

  @Test
  void roundTripIsBitExact() throws IOException {
    Network net = trainedNetwork();
    Path file = dir.resolve("sub/net.bin");
    net.save(file);
    Network back = Network.load(file, scope.manager());
    assertEquals(net.spec(), back.spec());
    ParameterList a = net.parameters();
    ParameterList b = back.parameters();
    assertEquals(a.keys(), b.keys());
    for (int i = 0; i < a.size(); i++) {
      float[] va = a.valueAt(i).getArray().toFloatArray();
      float[] vb = b.valueAt(i).getArray().toFloatArray();
      assertEquals(va.length, vb.length);
      for (int j = 0; j < va.length; j++) {
        assertEquals(Float.floatToRawIntBits(va[j]), Float.floatToRawIntBits(vb[j]), a.keyAt(i) + "[" + j + "]");
      }
      assertEquals(a.valueAt(i).requiresGradient(), b.valueAt(i).requiresGradient(), a.keyAt(i));
    }
    NDArray x = scope.manager().randomUniform(0, 1, new Shape(3, 3, 8, 8));
    assertArrayEquals(net.logits(ps, x, false).toFloatArray(), back.logits(ps, x, false).toFloatArray());
    assertArrayEquals(net.projection(ps, x, false, true).toFloatArray(), back.projection(ps, x, false, true).toFloatArray());
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file may remain");
    }
  }

  @Test
  void loadingAnotherArchitectureFailsNamingTheFile() throws IOException {
    Path file = dir.resolve("net.bin");
    trainedNetwork().save(file);
    NetworkSpec other = new NetworkSpec(ResNetSpec.resnet50(4).withBlocks(List.of(1)), List.of(16, 8), 4);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Network.load(file, scope.manager(), other));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("another architecture"), e.getMessage());
    assertEquals(spec(), Network.load(file, scope.manager(), spec()).spec());
  }

  @Test
  void badVersionMagicAndTruncationFailClearly() throws IOException {
    Path file = dir.resolve("net.bin");
    trainedNetwork().save(file);
    byte[] good = Files.readAllBytes(file);

    byte[] version = good.clone();
    ByteBuffer.wrap(version).putInt(8, 99);
    Path v = dir.resolve("v99.bin");
    Files.write(v, version);
    IllegalArgumentException ev = assertThrows(IllegalArgumentException.class, () -> Network.load(v, scope.manager()));
    assertTrue(ev.getMessage().contains(v.toString()) && ev.getMessage().contains("version 99"), ev.getMessage());

    byte[] magic = good.clone();
    magic[0] = 'X';
    Path m = dir.resolve("magic.bin");
    Files.write(m, magic);
    IllegalArgumentException em = assertThrows(IllegalArgumentException.class, () -> Network.load(m, scope.manager()));
    assertTrue(em.getMessage().contains(m.toString()) && em.getMessage().contains("not a robustcl network file"));

    Path t = dir.resolve("truncated.bin");
    Files.write(t, Arrays.copyOf(good, good.length - 5));
    IOException et = assertThrows(IOException.class, () -> Network.load(t, scope.manager()));
    assertTrue(et.getMessage().contains(t.toString()) && et.getMessage().contains("truncated"), et.getMessage());

    Path longer = dir.resolve("trailing.bin");
    Files.write(longer, Arrays.copyOf(good, good.length + 3));
    IllegalArgumentException el = assertThrows(IllegalArgumentException.class, () -> Network.load(longer, scope.manager()));
    assertTrue(el.getMessage().contains("trailing"), el.getMessage());
  }
}
