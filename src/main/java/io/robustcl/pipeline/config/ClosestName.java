package io.robustcl.pipeline.config;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean" suggestions by edit distance, for unknown names in pipeline files.
 *
 * <p>Bounded against hostile files (thirty 40,000-character names once made this run for
 * more than 30 s): only names of at most {@value #MAX_NAME} characters get a suggestion, a
 * candidate whose length alone puts it out of reach is skipped, the distance is computed in a
 * band of the allowed width (Ukkonen's cut-off) and abandoned once it exceeds it, and one
 * call examines at most {@value #MAX_CANDIDATES} candidates.
 */
public final class ClosestName {

  /** Longer names (typed or known) are never suggested or matched: they are no typos. */
  static final int MAX_NAME = 64;
  /** The most candidates one suggestion looks at. */
  static final int MAX_CANDIDATES = 2_000;

  private ClosestName() {}

  /**
   * {@code " (did you mean 'x'?)"} for the known name closest to {@code name}, or {@code ""}
   * when none is close enough to be a likely typo.
   */
  public static String suggestion(String name, Collection<String> known) {
    if (name.length() > MAX_NAME) {
      return "";
    }
    String lower = name.toLowerCase(Locale.ROOT);
    int allowed = Math.max(2, name.length() / 3);
    String best = null;
    int bestDistance = allowed + 1;
    int examined = 0;
    for (String candidate : known) {
      if (++examined > MAX_CANDIDATES) {
        break;
      }
      if (candidate.length() > MAX_NAME || Math.abs(candidate.length() - name.length()) >= bestDistance) {
        continue;
      }
      int distance = distance(lower, candidate.toLowerCase(Locale.ROOT), bestDistance - 1);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    }
    return best != null ? " (did you mean '" + best + "'?)" : "";
  }

  /** The most names {@link #list} shows. */
  static final int MAX_LISTED = 30;

  /** {@code names} joined with ", ", at most {@value #MAX_LISTED} of them, then "... and K more". */
  public static String list(Collection<String> names) {
    if (names.isEmpty()) {
      return "none";
    }
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (String name : names) {
      if (shown == MAX_LISTED) {
        return out.append(" ... and ").append(names.size() - shown).append(" more").toString();
      }
      out.append(shown++ == 0 ? "" : ", ").append(name.length() > MAX_NAME ? name.substring(0, MAX_NAME) + "..." : name);
    }
    return out.toString();
  }

  /** Levenshtein distance with unit costs (unbounded). */
  static int distance(String a, String b) {
    return distance(a, b, Integer.MAX_VALUE);
  }

  /**
   * Levenshtein distance with unit costs if it is at most {@code limit}, else a value above
   * {@code limit}. Only cells within {@code limit} of the diagonal can hold a distance within
   * the limit, so only those are computed, and a row whose minimum exceeds the limit ends it.
   */
  static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) > limit) {
      return limit + 1;
    }
    int over = limit == Integer.MAX_VALUE ? Integer.MAX_VALUE : limit + 1;
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = Math.min(j, over);
    }
    for (int i = 1; i <= a.length(); i++) {
      int from = limit == Integer.MAX_VALUE ? 1 : Math.max(1, i - limit);
      int to = limit == Integer.MAX_VALUE ? b.length() : (int) Math.min(b.length(), (long) i + limit);
      current[0] = Math.min(i, over);
      if (from > 1) {
        current[from - 1] = over;
      }
      int rowMin = current[0];
      for (int j = from; j <= to; j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        int value = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
        current[j] = Math.min(value, over);
        rowMin = Math.min(rowMin, current[j]);
      }
      if (to < b.length()) {
        current[to + 1] = over;
      }
      if (rowMin > limit) {
        return limit + 1;
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
