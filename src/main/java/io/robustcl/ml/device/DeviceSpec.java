package io.robustcl.ml.device;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed device request: {@code auto}, {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:<i>}.
 *
 * <p>Parsing never touches the engine; {@link ComputeScope#open} resolves the request against the GPUs
 * DJL sees.
 *
 * @param kind what was asked for
 * @param gpuIndex the GPU index for {@link Kind#GPU}; 0 for {@code gpu}; -1 otherwise
 */
public record DeviceSpec(Kind kind, int gpuIndex) {

  private static final Pattern GPU_INDEX = Pattern.compile("gpu:(\\d{1,4})");

  /** The kinds of device request. */
  public enum Kind {
    /** A GPU if DJL sees one, else the CPU. */
    AUTO,
    /** The CPU. */
    CPU,
    /** A given GPU; it must exist. */
    GPU
  }

  public DeviceSpec {
    if (kind == Kind.GPU ? gpuIndex < 0 : gpuIndex != -1) {
      throw new IllegalArgumentException("gpu index " + gpuIndex + " does not fit device kind " + kind);
    }
  }

  /**
   * Parses {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:<i>} (case-insensitive, surrounding blanks
   * ignored).
   *
   * @throws IllegalArgumentException naming the bad value and the accepted forms
   */
  public static DeviceSpec parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    switch (s) {
      case "auto":
        return new DeviceSpec(Kind.AUTO, -1);
      case "cpu":
        return new DeviceSpec(Kind.CPU, -1);
      case "gpu":
        return new DeviceSpec(Kind.GPU, 0);
      default:
        Matcher m = GPU_INDEX.matcher(s);
        if (m.matches()) {
          return new DeviceSpec(Kind.GPU, Integer.parseInt(m.group(1)));
        }
        throw new IllegalArgumentException(
            "bad device '" + text + "': use auto, cpu, gpu or gpu:<index> (e.g. gpu:0)");
    }
  }

  @Override
  public String toString() {
    return switch (kind) {
      case AUTO -> "auto";
      case CPU -> "cpu";
      case GPU -> "gpu:" + gpuIndex;
    };
  }
}
