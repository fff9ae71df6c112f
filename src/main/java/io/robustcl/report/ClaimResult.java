package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/**
 * A claim evaluated on our numbers.
 *
 * @param claim the claim
 * @param holds whether its condition holds
 * @param values the value of each of the condition's {@link ClaimCondition#refs()}, in order
 * @param decided the condition with every cell replaced by its value, e.g. {@code "42.10 > 3.20 + 10"}
 * @param certainty whether the test-set noise of our cells could have decided it
 */
public record ClaimResult(
    Claim claim, boolean holds, ImmutableList<Double> values, String decided, Certainty certainty) {

  /** How far the verdict stands above the noise of the cells it reads ({@link ClaimCondition#withinNoise}). */
  public enum Certainty {
    /** Every comparison that decides it is at least {@link ClaimCondition#NOISE_Z} standard errors apart. */
    FIRM("firm"),
    /** A comparison closer than that could change it. */
    WITHIN_NOISE("within noise"),
    /** None of its cells records how many test images are behind it ({@link SampleCounts}). */
    UNKNOWN("noise unknown");

    private final String label;

    Certainty(String label) {
      this.label = label;
    }

    /** {@code firm}, {@code within noise} or {@code noise unknown}, as the tables print it. */
    public String label() {
      return label;
    }

    /** The certainty {@link #label()} names, {@link #UNKNOWN} for any other text (tables written before it). */
    public static Certainty ofLabel(String label) {
      for (Certainty c : values()) {
        if (c.label.equals(label)) {
          return c;
        }
      }
      return UNKNOWN;
    }
  }

  /**
   * What a claims heading adds about noise, "" when every verdict is firm: how many verdicts are within
   * noise, and how many have no estimate (artifacts written before stages recorded their number of test
   * images, or cells such as training seconds that are not accuracies), so that an unmarked verdict is
   * not read as firm when nobody could tell.
   */
  public static String noiseNote(long withinNoise, long unknown) {
    List<String> parts = new ArrayList<>();
    if (withinNoise > 0) {
      parts.add(withinNoise + " of the verdicts within noise (a difference under " + ClaimCondition.NOISE_Z
          + " standard errors of the test images)");
    }
    if (unknown > 0) {
      parts.add(unknown + " without a noise estimate (no cell records its number of test images)");
    }
    return String.join("; ", parts);
  }

  /** {@code ✓} or {@code ✗}. */
  public String mark() {
    return holds ? "✓" : "✗";
  }

  /** One line: {@code ✓ statement: condition  [decided]}, then the certainty when it is within noise. */
  public String line() {
    return mark() + " " + claim.statement() + ": " + claim.condition().text() + "  [" + decided + "]"
        + (certainty == Certainty.WITHIN_NOISE ? " (" + certainty.label() + ")" : "");
  }
}
