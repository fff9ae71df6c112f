package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one load so that all are reported together. Not thread-safe. */
final class Problems {

  private final List<String> lines = new ArrayList<>();

  void add(Location at, String problem) {
    lines.add(at + ": " + problem);
  }

  /** A problem of a command-line option, which has no place in a file. */
  void add(String problem) {
    lines.add(problem);
  }

  int count() {
    return lines.size();
  }

  void throwIfAny() {
    if (!lines.isEmpty()) {
      throw new ConfigException(ImmutableList.copyOf(lines));
    }
  }
}
