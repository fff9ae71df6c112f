package io.robustcl.pipeline.config;

import java.util.Collection;

/** "Did you mean" suggestions by edit distance, for unknown names in pipeline files. */
final class ClosestName {

  private ClosestName() {}

  /**
   * {@code " (did you mean 'x'?)"} for the known name closest to {@code name}, or {@code ""}
   * when none is close enough to be a likely typo.
   */
  static String suggestion(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(name.toLowerCase(), candidate.toLowerCase());
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    }
    int allowed = Math.max(2, name.length() / 3);
    return best != null && bestDistance <= allowed ? " (did you mean '" + best + "'?)" : "";
  }

  /** Levenshtein distance with unit costs. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
