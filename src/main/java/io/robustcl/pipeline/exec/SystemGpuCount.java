package io.robustcl.pipeline.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Counts NVIDIA GPUs from {@code /proc/driver/nvidia/gpus}, restricted by {@code
 * CUDA_VISIBLE_DEVICES} when that is set (empty or {@code -1} hides all). Cheap: no process,
 * no native library.
 */
public final class SystemGpuCount implements GpuCount {

  @Override
  public int detect() {
    int present = 0;
    Path dir = Path.of("/proc/driver/nvidia/gpus");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> gpus = Files.list(dir)) {
        present = (int) gpus.count();
      } catch (IOException e) {
        present = 0; // unreadable driver directory: treat as no GPU
      }
    }
    String visible = System.getenv("CUDA_VISIBLE_DEVICES");
    if (visible == null) {
      return present;
    }
    String trimmed = visible.trim();
    if (trimmed.isEmpty() || trimmed.startsWith("-1")) {
      return 0;
    }
    return Math.min(present, trimmed.split(",").length);
  }
}
