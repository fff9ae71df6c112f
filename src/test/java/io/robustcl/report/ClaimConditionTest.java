package io.robustcl.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimConditionTest {

  private static Map<String, Object> cell(double paper) {
    return Map.of("stage", "s", "metric", "m", "paper", paper);
  }

  /** Rows RoCL, SimCLR, TRADES, TRADES* (same slug), columns clean, linf_8 (SimCLR's clean empty). */
  private static final TableLayout LAYOUT = TableLayout.parse("layout", Map.of(
      "columns", List.of("clean", Map.of("label", "8/255", "id", "linf_8")),
      "rows", List.of(
          Map.of("label", "RoCL", "cells", List.of(cell(83.71), cell(40.27))),
          Map.of("section", "Self-supervised"),
          Map.of("label", "SimCLR", "cells", List.of("-", cell(0.63))),
          Map.of("label", "TRADES", "cells", List.of(cell(77.0), cell(48.0))),
          Map.of("label", "TRADES*", "cells", List.of(cell(73.26), cell(42.71))))));

  private static ClaimCondition parse(String text) {
    return ClaimCondition.parse("claims[0].condition", text, new CellIndex(LAYOUT));
  }

  private static String error(String text) {
    return assertThrows(TableParamException.class, () -> parse(text)).getMessage();
  }

  @Test
  void evaluatesArithmeticComparisonsAndLogicWithPrecedence() {
    ClaimCondition c = parse("rocl.linf_8 > simclr.linf_8 + 10");
    assertEquals(List.of("rocl.linf_8", "simclr.linf_8"), c.refs().stream().map(ClaimCondition.CellRef::name).toList());
    assertTrue(c.holds(new double[] {42.1, 3.2}));
    assertFalse(c.holds(new double[] {12.0, 3.2}));
    assertEquals("42.10 > 3.20 + 10", c.withValues(new double[] {42.1, 3.2}, 2));

    // and binds tighter than or; not tighter than and
    ClaimCondition logic = parse("rocl.clean < 0 and rocl.clean < 1 or not rocl.linf_8 > 5");
    assertTrue(logic.holds(new double[] {50, 50, 4}));
    assertFalse(logic.holds(new double[] {50, 50, 6}));
    assertTrue(parse("2 * (rocl.clean - 1) / 4 == 1.5").holds(new double[] {4}));
    assertTrue(parse("-rocl.clean <= -3").holds(new double[] {3}));
    assertTrue(parse("max(rocl.clean, rocl.linf_8) - min(rocl.clean, 1) >= mean(2, 4) + abs(-1)")
        .holds(new double[] {10, 20, 10}));
    ClaimCondition paper = parse("rocl.linf_8.paper > rocl.linf_8");
    assertTrue(paper.refs().get(0).paper());
    assertFalse(paper.refs().get(1).paper());
  }

  /** The covariance of independent cells with these standard errors. */
  private static double[][] independent(double... errors) {
    double[][] c = new double[errors.length][errors.length];
    for (int i = 0; i < errors.length; i++) {
      c[i][i] = errors[i] * errors[i];
    }
    return c;
  }

  @Test
  void aComparisonCloserThanTwoStandardErrorsOfItsDifferenceIsWithinNoise() {
    ClaimCondition c = parse("rocl.linf_8 > simclr.linf_8 + 10");
    double[][] errors = independent(1.5, 1.5); // the difference's error is 1.5 * sqrt(2) = 2.12: noise is |margin| < 4.16
    assertTrue(c.withinNoise(new double[] {40, 27}, errors), "margin 3: holds, but within noise");
    assertFalse(c.withinNoise(new double[] {40, 25}, errors), "margin 5: firm");
    assertTrue(c.withinNoise(new double[] {40, 33}, errors), "margin -3: fails, but within noise");
    assertFalse(c.withinNoise(new double[] {40, 35}, errors), "margin -5: firmly fails");
    assertFalse(c.withinNoise(new double[] {40, 29.9}, independent(0, 0)), "no known error: nothing is noise");
    // the error scales with the derivative: 2 * rocl has error 3, and sqrt(9 + 2.25) * 1.96 = 6.57
    assertTrue(parse("2 * rocl.linf_8 > simclr.linf_8").withinNoise(new double[] {20, 34}, errors));
    assertFalse(parse("2 * rocl.linf_8 > simclr.linf_8").withinNoise(new double[] {20, 33}, errors));
  }

  @Test
  void positivelyCorrelatedCellsHaveASmallerErrorOfTheirDifference() {
    ClaimCondition c = parse("rocl.linf_8 > simclr.linf_8");
    double[] values = {41.5, 40};
    assertTrue(c.withinNoise(values, independent(1.5, 1.5)), "independent: 1.5 is under 1.96 * 2.12");
    // correlation 0.9: the difference's error is sqrt(2 * 2.25 * 0.1) = 0.67, and 1.5 > 1.96 * 0.67
    double cov = 0.9 * 1.5 * 1.5;
    assertFalse(c.withinNoise(values, new double[][] {{2.25, cov}, {cov, 2.25}}), "paired: firm");
    // a negative correlation widens it: margin 5 is firm for independent cells (5 > 4.16), not at -0.9
    ClaimCondition shifted = parse("rocl.linf_8 > simclr.linf_8 - 3");
    assertFalse(shifted.withinNoise(new double[] {40, 38}, independent(1.5, 1.5)));
    assertTrue(shifted.withinNoise(new double[] {40, 38}, new double[][] {{2.25, -cov}, {-cov, 2.25}}));
  }

  @Test
  void aCellNamedTwiceMovesWithItselfAndLogicIsThreeValued() {
    // two references to one cell covary fully: rocl - rocl has no noise, rocl + rocl twice rocl's
    double[][] one = {{25, 25}, {25, 25}};
    assertFalse(parse("rocl.linf_8 - rocl.linf_8 + 0.5 > 0").withinNoise(new double[] {40, 40}, one));
    assertTrue(parse("rocl.linf_8 + rocl.linf_8 > 70").withinNoise(new double[] {40, 40}, one));
    double[] values = {50, 40, 41};
    double[][] errors = independent(1, 1, 1);
    // a firm false decides `and`, a firm true decides `or`, whatever the noisy comparison beside it
    assertFalse(parse("rocl.clean < 10 and rocl.linf_8 > simclr.linf_8").withinNoise(values, errors));
    assertFalse(parse("rocl.clean > 10 or rocl.linf_8 > simclr.linf_8").withinNoise(values, errors));
    assertTrue(parse("rocl.clean > 10 and rocl.linf_8 > simclr.linf_8").withinNoise(values, errors));
    assertTrue(parse("not (rocl.clean < 10 or rocl.linf_8 > simclr.linf_8)").withinNoise(values, errors));
    // min follows its smallest argument: min(40, 41) vs 30 is 10 apart, firm
    assertFalse(parse("min(rocl.linf_8, simclr.linf_8) > rocl.clean - 20").withinNoise(
        new double[] {40, 41, 50}, errors));
  }

  @Test
  void nanMakesComparisonsFalse() {
    assertFalse(parse("rocl.clean > 1").holds(new double[] {Double.NaN}));
    assertFalse(parse("rocl.clean != 1").holds(new double[] {Double.NaN}));
  }

  @Test
  void errorsNameThePathThePositionAndTheFix() {
    String unknownRow = error("rocl.linf_8 > simclrr.linf_8");
    assertTrue(unknownRow.startsWith("claims[0].condition (at character 15 of \"rocl.linf_8 > simclrr.linf_8\"): "
        + "unknown row 'simclrr'; the table's row ids are rocl, simclr, trades"), unknownRow);
    assertTrue(error("rocl.linf8 > 1").contains("unknown column 'linf8'; the table's column ids are clean, linf_8"));
    assertTrue(error("trades.clean > 1").contains("row id 'trades' is shared by 'TRADES' and 'TRADES*'"));
    assertTrue(error("simclr.clean > 1").contains("cell simclr.clean is empty"));
    assertTrue(error("rocl.clean + 1").contains("must compare numbers"));
    assertTrue(error("1 < rocl.clean < 2").contains("comparisons do not chain"));
    assertTrue(error("rocl.clean = 2").contains("write '=='"));
    assertTrue(error("rocl.clean > ").contains("ends early"));
    assertTrue(error("(rocl.clean > 1").contains("missing ')'"));
    assertTrue(error("exec(1) > 2").contains("'exec' is neither a cell"));
    assertTrue(error("rocl.clean > 1 and 3").contains("`and` joins comparisons"));
    assertTrue(error("(rocl.clean > 1) + 2 > 1").contains("arithmetic works on numbers"));
    assertTrue(error("").contains("empty"));
  }

  @Test
  void claimsListIsCheckedEntryByEntry() {
    var e = assertThrows(TableParamException.class, () -> Claim.parseAll("claims",
        List.of(Map.of("statement", "ok", "condition", "rocl.clean > 1"), Map.of("condition", "rocl.clean > 1")), LAYOUT));
    assertTrue(e.getMessage().startsWith("claims[1]: missing 'statement'"), e.getMessage());
    e = assertThrows(TableParamException.class, () -> Claim.parseAll("claims",
        List.of(Map.of("statement", "s", "condition", "rocl.clean > 1", "when", "x")), LAYOUT));
    assertTrue(e.getMessage().contains("unknown key 'when'"), e.getMessage());
  }
}
