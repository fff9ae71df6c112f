package io.robustcl.stages;

import java.util.List;
import java.util.Locale;

/**
 * A white-box attack as written in an {@code evaluate} stage's {@code attacks} param:
 * {@code "<norm>:<eps>"} with norm {@code linf}, {@code l2} or {@code l1} and eps a number or
 * fraction ({@code "linf:8/255"}, {@code "l2:0.25"}, {@code "l1:7.84"}). The text is also the
 * metric name of the robust accuracy.
 *
 * @param text the spec as written
 * @param norm linf, l2 or l1
 * @param eps the radius (>= 0)
 */
record AttackSpec(String text, String norm, double eps) {

  static final List<String> NORMS = List.of("linf", "l2", "l1");

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException saying what is wrong and what is expected
   */
  static AttackSpec parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("attack '" + text + "' is not <norm>:<eps>, e.g. linf:8/255 or l2:0.5");
    }
    String norm = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    if (!NORMS.contains(norm)) {
      throw new IllegalArgumentException("attack '" + text + "': unknown norm '" + norm + "'; use linf, l2 or l1");
    }
    double eps = parseNumber(text, text.substring(colon + 1).trim());
    if (!(eps >= 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("attack '" + text + "': eps must be a finite number >= 0");
    }
    return new AttackSpec(text, norm, eps);
  }

  private static double parseNumber(String text, String number) {
    try {
      int slash = number.indexOf('/');
      if (slash >= 0) {
        double denominator = Double.parseDouble(number.substring(slash + 1));
        if (denominator == 0) {
          throw new IllegalArgumentException("attack '" + text + "': division by zero in eps");
        }
        return Double.parseDouble(number.substring(0, slash)) / denominator;
      }
      return Double.parseDouble(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("attack '" + text + "': eps '" + number + "' is not a number or a/b fraction");
    }
  }
}
