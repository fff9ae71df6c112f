package io.robustcl.report;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The contract between a stage that measures accuracies and the tables that compare them:
 * metric {@code examples} is the number of test images behind every accuracy metric of that
 * stage (in percent). A stage writes it only when all its accuracies share one count, so a
 * table never guesses: a cell whose stage has no count has no standard error.
 */
public final class SampleCounts {

  /** The number of examples behind each accuracy metric of the stage. */
  public static final String EXAMPLES = "examples";

  private SampleCounts() {}

  /**
   * The standard error, in percentage points, of accuracy metric {@code metric} of a stage with
   * {@code metrics}, or empty when the stage records no count or the metric is not an accuracy.
   * Agresti and Coull's adjusted estimate (two successes and two failures added, Am. Stat. 1998),
   * so an accuracy of 0 or 100 % over n images still has an error of about 100 / (n + 4) points.
   */
  public static OptionalDouble standardError(Map<String, Double> metrics, String metric) {
    Double n = metrics.get(EXAMPLES);
    Double percent = metrics.get(metric);
    if (n == null || n <= 0 || percent == null || !Double.isFinite(percent) || metric.equals(EXAMPLES)
        || CheckMetrics.isCheck(metric)) {
      return OptionalDouble.empty();
    }
    double adjusted = n + 4;
    double p = (percent / 100 * n + 2) / adjusted;
    return OptionalDouble.of(100 * Math.sqrt(p * (1 - p) / adjusted));
  }
}
