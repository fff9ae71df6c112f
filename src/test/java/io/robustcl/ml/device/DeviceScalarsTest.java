package io.robustcl.ml.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.robustcl.testing.CpuScope;
import io.robustcl.testing.GarbageCollection;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeviceScalarsTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  /**
   * Issue 17: autograd keeps a multiplication's constant for backward, after the scope that made it has
   * closed and a collection has run. The old {@link DeviceScalars#of} handed out views of an upload over
   * a Java buffer, which the collection freed: backward read garbage.
   */
  @Test
  void constantsKeepTheirValuesForBackwardAfterTheirScopeClosedAndTheCollectorRan() {
    NDManager root = cpu.manager();
    NDArray x = root.create(new float[] {1f, -2f, 3f}).duplicate();
    x.setRequiresGradient(true);
    AtomicInteger created = new AtomicInteger();
    DeviceScalars scalars = new DeviceScalars(created::addAndGet);
    try (GradientTape tape = GradientTape.record()) {
      NDArray y;
      try (NDManager scope = root.newSubManager()) {
        NDArray[] pair = scalars.of(scope, x, 0.5f, 0.25f);
        NDArray single = scalars.create(scope, x, 2f);
        y = x.mul(pair[0]).add(x.mul(pair[1])).add(x.mul(single)).sum();
        y.attach(root);
      }
      GarbageCollection.freeUnreachableDirectBuffers();
      tape.backward(y);
    }
    assertArrayEquals(new float[] {2.75f, 2.75f, 2.75f}, x.getGradient().toFloatArray(), 0f, "0.5 + 0.25 + 2");
    assertEquals(3, created.get(), "two in one upload, and one");
  }

  @Test
  void constantsTakeTheTypeAndDeviceOfTheArrayTheyAreFor() {
    NDArray ints = cpu.manager().arange(6);
    NDArray three = DeviceScalars.uncounted().like(ints, 3);
    assertEquals(ints.getDataType(), three.getDataType());
    assertEquals(ints.getDevice(), three.getDevice());
    assertEquals(0, three.getShape().dimension());
    assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2}, ints.mod(three).toIntArray());
    NDArray[] doubles = DeviceScalars.uncounted().of(cpu.manager(), DataType.FLOAT64, ints, 1.5f, -2f);
    assertEquals(DataType.FLOAT64, doubles[1].getDataType());
    assertEquals(-2.0, doubles[1].getDouble(), 0.0);
    NDArray x = cpu.manager().create(new float[] {3f, -6f});
    assertArrayEquals(new float[] {1.5f, -3f}, DeviceScalars.uncounted().mul(x, 0.5).toFloatArray(), 0f);
    assertArrayEquals(new float[] {1f, -2f}, DeviceScalars.uncounted().div(x, 3).toFloatArray(), 0f);
  }
}
