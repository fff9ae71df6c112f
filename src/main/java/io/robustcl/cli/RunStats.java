package io.robustcl.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * {@code --stats}: one line on stderr for benchmarks, e.g. {@code stats: load_ms=120 plan_ms=80
 * heap_peak_mb=54 heap_live_mb=21}: the phases' wall times, the heap pools' peak use and the
 * heap still live after a full GC at the end.
 */
final class RunStats {

  private final long start = System.nanoTime();
  private long last = start;
  private final StringBuilder line = new StringBuilder("stats:");

  /** Records the wall time since the previous mark (or the start) as {@code name_ms}. */
  void mark(String name) {
    long now = System.nanoTime();
    line.append(' ').append(name).append("_ms=").append((now - last) / 1_000_000);
    last = now;
  }

  void print(PrintWriter err) {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.gc();
    long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    err.println(line + " total_ms=" + (System.nanoTime() - start) / 1_000_000 + " heap_peak_mb=" + (peak >> 20)
        + " heap_live_mb=" + (live >> 20));
    err.flush();
  }
}
