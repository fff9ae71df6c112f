package io.robustcl.pipeline.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The human name of a device for manifests: the CPU model from {@code /proc/cpuinfo}, or the
 * GPU model from {@code /proc/driver/nvidia/gpus/<bus>/information}. Host facts, not ML: no
 * native library is loaded. GPUs are numbered in PCI bus order through {@code
 * CUDA_VISIBLE_DEVICES} when it lists indices, which is CUDA's order when the GPUs are alike
 * (with mixed models CUDA orders fastest first unless {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}).
 */
final class DeviceNames {

  private final Path procCpuinfo;
  private final Path nvidiaGpus;

  DeviceNames() {
    this(Path.of("/proc/cpuinfo"), Path.of("/proc/driver/nvidia/gpus"));
  }

  DeviceNames(Path procCpuinfo, Path nvidiaGpus) {
    this.procCpuinfo = procCpuinfo;
    this.nvidiaGpus = nvidiaGpus;
  }

  /** The name of {@code device} ({@code "cpu"} or {@code "gpu:<i>"}), or empty if unknown. */
  Optional<String> nameOf(String device) {
    if (device.startsWith("gpu:")) {
      try {
        return gpuName(Integer.parseInt(device.substring(4)));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return field(procCpuinfo, "model name");
  }

  private Optional<String> gpuName(int index) {
    List<Path> gpus = new ArrayList<>();
    try (Stream<Path> list = Files.list(nvidiaGpus)) {
      list.sorted().forEach(gpus::add);
    } catch (IOException e) {
      return Optional.empty();
    }
    int physical = index;
    String visible = System.getenv("CUDA_VISIBLE_DEVICES");
    if (visible != null && !visible.isBlank()) {
      String[] ids = visible.split(",");
      if (index < ids.length && ids[index].trim().matches("\\d+")) {
        physical = Integer.parseInt(ids[index].trim());
      }
    }
    return physical < gpus.size() ? field(gpus.get(physical).resolve("information"), "Model") : Optional.empty();
  }

  /** The value of the first {@code name: value} line of {@code file}. */
  private static Optional<String> field(Path file, String name) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.startsWith(name) && l.indexOf(':') > 0)
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .filter(v -> !v.isEmpty())
          .findFirst();
    } catch (IOException | java.io.UncheckedIOException e) {
      return Optional.empty();
    }
  }
}
