package io.robustcl.report;

import com.google.common.collect.ImmutableList;

/**
 * A claim evaluated on our numbers.
 *
 * @param claim the claim
 * @param holds whether its condition holds
 * @param values the value of each of the condition's {@link ClaimCondition#refs()}, in order
 * @param decided the condition with every cell replaced by its value, e.g. {@code "42.10 > 3.20 + 10"}
 */
public record ClaimResult(Claim claim, boolean holds, ImmutableList<Double> values, String decided) {

  /** {@code ✓} or {@code ✗}. */
  public String mark() {
    return holds ? "✓" : "✗";
  }

  /** One line: {@code ✓ statement: condition (decided)}. */
  public String line() {
    return mark() + " " + claim.statement() + ": " + claim.condition().text() + "  [" + decided + "]";
  }
}
