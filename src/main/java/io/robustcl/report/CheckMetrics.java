package io.robustcl.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The names of a stage's sanity-check metrics, the one contract between the stage that runs the
 * checks ({@code evaluate}) and what marks table cells ({@link HtmlReport}): per check
 * {@code check/<name>} = its figure and {@code check/<name>/pass} = 1 (pass) or 0 (warn), and
 * {@code checks_warned} = how many warn. Only the pass flag says pass or warn: a figure of 0 or
 * 1 means different things for different checks.
 */
public final class CheckMetrics {

  /** The number of checks that warn. */
  public static final String WARNED = "checks_warned";

  private static final String PREFIX = "check/";
  private static final String PASS = "/pass";

  private CheckMetrics() {}

  /** {@code check/<name>}: the check's measured figure. */
  public static String figure(String check) {
    return PREFIX + check;
  }

  /** {@code check/<name>/pass}: 1 when the check passes, 0 when it warns. */
  public static String pass(String check) {
    return PREFIX + check + PASS;
  }

  /** Whether {@code metric} is one of the checks' metrics rather than a measurement of the model. */
  public static boolean isCheck(String metric) {
    return metric.startsWith(PREFIX) || metric.equals(WARNED);
  }

  /** The names of the checks whose pass flag in {@code metrics} is 0, in the metrics' order. */
  public static List<String> warned(Map<String, Double> metrics) {
    List<String> out = new ArrayList<>();
    metrics.forEach((name, value) -> {
      if (name.startsWith(PREFIX) && name.endsWith(PASS) && name.length() > PREFIX.length() + PASS.length()
          && value == 0.0) {
        out.add(name.substring(PREFIX.length(), name.length() - PASS.length()));
      }
    });
    return out;
  }
}
