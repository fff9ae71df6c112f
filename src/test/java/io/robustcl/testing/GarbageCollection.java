package io.robustcl.testing;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs the garbage collector until the native memory of every unreachable direct {@code ByteBuffer}
 * has been freed. That memory is freed by a cleaner on the JVM's reference-handler thread after a
 * collection, so the count of direct buffers is polled until it stops falling.
 *
 * <p>Why tests need it: a CPU array that DJL makes from Java values aliases such a buffer, so a test
 * can make "the collector ran at the worst moment" (between a forward pass and its backward pass)
 * happen every time instead of once in a thousand steps.
 */
public final class GarbageCollection {
  private GarbageCollection() {}

  /** Collects until two rounds in a row free no direct buffer (at most about a second). */
  public static void freeUnreachableDirectBuffers() {
    BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
    long before = direct.getCount();
    int quiet = 0;
    for (int round = 0; round < 50 && quiet < 2; round++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = direct.getCount();
      quiet = now < before ? 0 : quiet + 1;
      before = now;
    }
  }
}
