package io.robustcl.pipeline.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The text forms of the {@code mem}, {@code time} and {@code timeout} resources. */
final class ResourceFormats {

  /** Slurm's {@code --mem}: a count with an optional unit K, M (default), G or T. */
  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]{0,9}[KMGT]?");
  /**
   * Slurm's {@code --time}: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
   * days-hours:minutes or days-hours:minutes:seconds.
   */
  private static final Pattern TIME = Pattern.compile("[0-9]{1,7}(:[0-9]{1,2}){0,2}|[0-9]{1,4}-[0-9]{1,2}(:[0-9]{1,2}){0,2}");
  /** A timeout: a count with unit s, m, h or d. */
  private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,7})([smhd])");

  private ResourceFormats() {}

  /** What is wrong with {@code text} as resource {@code key}, or null when it is well-formed. */
  static @Nullable String problem(String key, String text) {
    return switch (key) {
      case "mem" -> MEMORY.matcher(text).matches() ? null
          : "expected a size as Slurm's --mem takes it, e.g. 16G (units K, M, G, T), not '" + text + "'";
      case "time" -> TIME.matcher(text).matches() ? null
          : "expected a time limit as Slurm's --time takes it, e.g. \"90\" (minutes), \"12:00:00\" or "
              + "\"2-00:00:00\", not '" + text + "'";
      case "timeout" -> DURATION.matcher(text).matches() ? null
          : "expected a duration with a unit, e.g. 90s, 30m, 12h or 2d, not '" + text + "'";
      default -> throw new IllegalArgumentException(key);
    };
  }

  /** The duration of a well-formed timeout. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
