package io.robustcl.pipeline.exec;

import java.util.BitSet;
import org.jspecify.annotations.Nullable;

/** The free GPU indices of a run. Used by the scheduler thread only. */
final class GpuSlots {

  private final int count;
  private final BitSet busy = new BitSet();

  GpuSlots(int count) {
    this.count = count;
  }

  int count() {
    return count;
  }

  /** How many indices are free now. */
  int free() {
    return count - busy.cardinality();
  }

  /** {@code n} free indices, now taken, or null if fewer than {@code n} are free. */
  int @Nullable [] tryTake(int n) {
    if (count - busy.cardinality() < n) {
      return null;
    }
    int[] taken = new int[n];
    int next = 0;
    for (int i = 0; i < n; i++) {
      next = busy.nextClearBit(next);
      taken[i] = next;
      busy.set(next);
    }
    return taken;
  }

  void release(int[] indices) {
    for (int i : indices) {
      busy.clear(i);
    }
  }
}
