package io.robustcl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * {@code --stats}: one line on stderr for benchmarks, e.g. {@code stats: load_ms=120 plan_ms=80
 * total_ms=200 jvm_ms=650 main_cpu_ms=190 process_cpu_ms=900 jit_cpu_ms=400 gc_cpu_ms=60
 * heap_peak_mb=54 heap_live_mb=21}: the phases' wall times, the wall time since the JVM
 * started ({@code jvm_ms}, start-up included), CPU times, the heap pools' peak use and the
 * heap still live after a full GC at the end.
 *
 * <p>CPU: {@code main_cpu_ms} is the command's own thread, {@code process_cpu_ms} the whole
 * JVM, and, where {@code /proc/self/task} exists (Linux), {@code jit_cpu_ms} and
 * {@code gc_cpu_ms} its compiler and garbage-collector threads. On a shared machine they say
 * what a run costs, while its wall time mostly says how long it queued for a core.
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
    StringBuilder out = new StringBuilder(line).append(" total_ms=").append((System.nanoTime() - start) / 1_000_000)
        .append(" jvm_ms=").append(ManagementFactory.getRuntimeMXBean().getUptime())
        .append(" main_cpu_ms=").append(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      out.append(" process_cpu_ms=").append(os.getProcessCpuTime() / 1_000_000);
    }
    threadCpu(out);
    System.gc();
    long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    err.println(out + " heap_peak_mb=" + (peak >> 20) + " heap_live_mb=" + (live >> 20));
    err.flush();
  }

  /** Appends the CPU time of the JVM's compiler and GC threads, read from /proc/self/task; nothing without it. */
  private static void threadCpu(StringBuilder out) {
    Path tasks = Path.of("/proc/self/task");
    long jit = 0;
    long gc = 0;
    try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
      for (Path task : all) {
        String name;
        String stat;
        try {
          name = Files.readString(task.resolve("comm")).trim();
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        // stat: "tid (comm) state ...": utime and stime are fields 14 and 15, counted after the ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        if (name.contains("CompilerThre")) {
          jit += ticks;
        } else if (name.equals("VM Thread") || name.startsWith("GC Thread") || name.startsWith("G1")) {
          gc += ticks; // the serial collector collects in the VM thread
        }
      }
    } catch (IOException | RuntimeException e) {
      return; // not Linux, or an unexpected format: the portable figures stand alone
    }
    long msPerTick = 10; // USER_HZ is 100 on every Linux platform the JVM runs on
    out.append(" jit_cpu_ms=").append(jit * msPerTick).append(" gc_cpu_ms=").append(gc * msPerTick);
  }
}
