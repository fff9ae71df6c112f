package io.robustcl.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine a report is written on: host name, OS, CPU model and cores, memory.
 *
 * @param lines one fact a line, e.g. {@code "CPU: AMD EPYC 7B13 (2 cores)"}
 */
public record HostFacts(List<String> lines) {

  /** This machine, from {@code /proc} where there is one. */
  public static HostFacts ofThisMachine() {
    List<String> lines = new ArrayList<>();
    lines.add("host: " + firstLine(Path.of("/etc/hostname"), System.getenv().getOrDefault("HOSTNAME", "unknown")));
    lines.add("OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
        + System.getProperty("os.arch") + ")");
    lines.add("CPU: " + procField(Path.of("/proc/cpuinfo"), "model name", "unknown") + " ("
        + Runtime.getRuntime().availableProcessors() + " cores)");
    String memory = procField(Path.of("/proc/meminfo"), "MemTotal", "");
    if (!memory.isEmpty()) {
      lines.add("memory: " + memory);
    }
    lines.add("Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    return new HostFacts(List.copyOf(lines));
  }

  private static String firstLine(Path file, String fallback) {
    try {
      return Files.readAllLines(file).stream().findFirst().map(String::strip).orElse(fallback);
    } catch (IOException e) {
      return fallback;
    }
  }

  private static String procField(Path file, String field, String fallback) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(field)) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // not Linux: the fact is unknown
    }
    return fallback;
  }
}
