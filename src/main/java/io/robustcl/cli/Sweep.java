package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.config.LoadOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line sweeps in the manner of Hydra's {@code -m lr=0.1,0.2}: {@code --set k=a,b}
 * with commas at the top level of the value (not inside {@code [..]}, {@code {..}} or quotes)
 * gives one run per value; several swept vars give their product, the first slowest. Each
 * point is labelled {@code k=a} (joined by {@code ,}) and publishes into
 * {@code <results>/<label>/}; stages whose keys do not depend on the swept vars are shared.
 */
final class Sweep {

  /**
   * One combination of swept values.
   *
   * @param label e.g. {@code lr=0.1,eps=8_255}, safe as a directory name; empty when nothing is swept
   */
  record Point(String label, LoadOptions options) {}

  private Sweep() {}

  /** The points of {@code base} with {@code sets} ({@code name=value} texts, in order) applied. */
  static ImmutableList<Point> points(LoadOptions base, List<String> sets) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw new Commands.UsageException("--set " + set + ": expected name=value, e.g. --set epochs=5 (or name=a,b to sweep)");
      }
      List<String> split = split(set.substring(eq + 1), set);
      values.put(set.substring(0, eq).trim(), split);
    }
    List<Point> points = new ArrayList<>(List.of(new Point("", base)));
    for (Map.Entry<String, List<String>> var : values.entrySet()) {
      boolean swept = var.getValue().size() > 1;
      List<Point> next = new ArrayList<>();
      for (Point point : points) {
        for (String value : var.getValue()) {
          String label = !swept ? point.label()
              : (point.label().isEmpty() ? "" : point.label() + ",") + var.getKey() + "=" + safe(value);
          next.add(new Point(label, point.options().withVar(var.getKey(), value)));
        }
      }
      points = next;
    }
    return ImmutableList.copyOf(points);
  }

  /** {@code value} split at its top-level commas; a value without such a comma is one value. */
  static List<String> split(String value, String option) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(value.substring(start, i).trim());
        start = i + 1;
      }
    }
    out.add(value.substring(start).trim());
    if (out.size() > 1 && out.stream().anyMatch(String::isEmpty)) {
      throw new Commands.UsageException("--set " + option + ": an empty value in the sweep; write a,b (quote a value "
          + "that holds a comma: --set 'title=\"a, b\"')");
    }
    return out.size() > 1 ? out : List.of(value);
  }

  private static String safe(String value) {
    return value.replaceAll("[^A-Za-z0-9._+-]", "_");
  }
}
