package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems of one load so that all are reported together. Not thread-safe.
 *
 * <p>Bounded against hostile files (10,000 stages each with an unknown input once printed
 * nothing for 150 s and reached 5.4 GB): at most {@value #MAX_KEPT} problems are kept and
 * reported, followed by "and K more"; each line is cut to {@value #MAX_LINE} characters.
 * {@link #count()} still counts every problem.
 */
final class Problems {

  /** The most problems one error reports. */
  static final int MAX_KEPT = 50;
  /** The longest line one problem reports (a name or a list of names can be huge). */
  static final int MAX_LINE = 2_000;

  private final List<String> lines = new ArrayList<>();
  private int count;

  void add(Location at, String problem) {
    add(at + ": " + problem);
  }

  /** A problem of a command-line option, which has no place in a file. */
  void add(String problem) {
    count++;
    if (lines.size() < MAX_KEPT) {
      lines.add(shorten(problem));
    }
  }

  int count() {
    return count;
  }

  void throwIfAny() {
    if (count > 0) {
      List<String> reported = new ArrayList<>(lines);
      if (count > lines.size()) {
        reported.add("... and " + (count - lines.size()) + " more problems (fix these first)");
      }
      throw new ConfigException(ImmutableList.copyOf(reported));
    }
  }

  private static String shorten(String line) {
    if (line.length() <= MAX_LINE) {
      return line;
    }
    return line.substring(0, MAX_LINE) + "... (" + (line.length() - MAX_LINE) + " more characters)";
  }
}
