package io.robustcl.ml.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.robustcl.testing.CpuScope;
import io.robustcl.testing.GarbageCollection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HostTransferTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  /**
   * Autograd keeps a gather's index and a product's factor for backward, after the scope that uploaded
   * them has closed and a collection has run. A raw {@code manager.create(float[] / long[])} is a view of
   * a direct buffer that the collection frees once its array is closed: backward then read garbage.
   */
  @Test
  void uploadedArraysKeepTheirValuesForBackwardAfterTheirScopeClosedAndTheCollectorRan() {
    NDManager root = cpu.manager();
    NDArray x = root.create(new float[] {1f, -2f, 3f}).duplicate();
    x.setRequiresGradient(true);
    try (GradientTape tape = GradientTape.record()) {
      NDArray y;
      try (NDManager scope = root.newSubManager()) {
        NDArray index = HostTransfer.upload(scope, new long[] {2, 0, 1}, new Shape(3));
        NDArray weights = HostTransfer.upload(scope, new float[] {0.5f, 0.25f, 2f}, new Shape(3));
        y = x.gather(index, 0).mul(weights).sum();
        y.attach(root);
      }
      GarbageCollection.freeUnreachableDirectBuffers();
      tape.backward(y);
    }
    // d/dx_j sum_i x[index_i] w_i = the weight of the i with index_i = j
    assertArrayEquals(new float[] {0.25f, 2f, 0.5f}, x.getGradient().toFloatArray(), 0f);
  }

  /** The upload copies: writing to the caller's direct buffer afterwards does not reach the array. */
  @Test
  void anUploadDoesNotAliasTheCallersBuffer() {
    ByteBuffer pixels = ByteBuffer.allocateDirect(4 * Float.BYTES).order(ByteOrder.nativeOrder());
    pixels.asFloatBuffer().put(new float[] {1f, 2f, 3f, 4f});
    NDArray image = HostTransfer.upload(cpu.manager(), cpu.manager().getDevice(), pixels, new Shape(2, 2),
        DataType.FLOAT32);
    pixels.asFloatBuffer().put(new float[] {9f, 9f, 9f, 9f});
    assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, image.toFloatArray(), 0f);
    assertEquals(new Shape(2, 2), image.getShape());
    assertEquals(cpu.manager().getDevice(), image.getDevice());
    assertEquals(cpu.manager(), image.getManager());
    NDArray labels = HostTransfer.upload(cpu.manager(), new long[] {7, -1}, new Shape(2));
    assertEquals(DataType.INT64, labels.getDataType());
    assertArrayEquals(new long[] {7, -1}, labels.toLongArray());
  }

  /**
   * A write copies into the array's own storage, with a tape open too (a parameter is a leaf that
   * requires a gradient): a view taken before sees the new values. DJL's {@code set(Buffer)} swapped the
   * storage for a Java buffer instead, and the view kept the old values.
   */
  @Test
  void aWriteCopiesIntoTheArraysOwnStorage() {
    NDArray weight = cpu.manager().zeros(new Shape(2, 3));
    weight.setRequiresGradient(true);
    NDArray firstRow = weight.get("0");
    NDArray scalar = cpu.manager().zeros(new Shape());
    try (GradientTape tape = GradientTape.record()) {
      HostTransfer.write(weight, new float[] {1f, 2f, 3f, 4f, 5f, 6f});
      HostTransfer.write(scalar, new float[] {7f});
    }
    assertArrayEquals(new float[] {1f, 2f, 3f}, firstRow.toFloatArray(), 0f);
    assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, HostTransfer.read(weight), 0f);
    assertEquals(7f, scalar.getFloat(), 0f);
  }
}
