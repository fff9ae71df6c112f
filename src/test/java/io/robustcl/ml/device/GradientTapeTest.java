package io.robustcl.ml.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class GradientTapeTest {

  @Test
  void tapesOnTwoThreadsAtOnceEachGetTheirOwnGradient() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CyclicBarrier bothRecording = new CyclicBarrier(2);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (float factor : new float[] {2f, 3f}) {
        results.add(pool.submit(() -> {
          try (ComputeScope scope = ComputeScope.open("cpu", 0)) {
            NDManager manager = scope.manager();
            NDArray w = manager.create(new float[] {1f, -1f, 0.5f});
            w.setRequiresGradient(true);
            try (GradientTape tape = GradientTape.record()) {
              bothRecording.await(); // DJL's collector would refuse the second one here
              tape.backward(w.mul(DeviceScalars.uncounted().like(w, factor)).sum());
            }
            return w.getGradient().toFloatArray();
          }
        }));
      }
      assertArrayEquals(new float[] {2f, 2f, 2f}, results.get(0).get());
      assertArrayEquals(new float[] {3f, 3f, 3f}, results.get(1).get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void nestedTapeRestoresTheOuterModeAndAFailureLeavesGradModeOff() {
    try (ComputeScope scope = ComputeScope.open("cpu", 0)) {
      assertFalse(JniUtils.isGradMode(), "a scope records no gradients outside a tape");
      NDManager manager = scope.manager();
      NDArray w = manager.create(new float[] {1f, 2f});
      w.setRequiresGradient(true);
      try (GradientTape outer = GradientTape.record()) {
        try (GradientTape inner = GradientTape.record()) {
          inner.backward(w.mul(w).sum());
        }
        assertTrue(JniUtils.isGradMode(), "inner tape switched the outer recording off");
        outer.backward(w.sum());
      }
      assertArrayEquals(new float[] {3f, 5f}, w.getGradient().toFloatArray()); // 2w + 1, accumulated
      assertThrows(IllegalStateException.class, () -> {
        try (GradientTape tape = GradientTape.record()) {
          throw new IllegalStateException("step failed");
        }
      });
      assertFalse(JniUtils.isGradMode());
      // an in-place update of a leaf that requires a gradient works again outside any tape
      w.subi(w.getGradient().mul(0.5f));
      assertEquals(-0.5f, w.toFloatArray()[0], 1e-6);
    }
  }
}
