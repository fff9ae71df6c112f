package io.robustcl.report;

import java.util.List;

/**
 * The HTML report's data model, as the template ({@code report.ftlh}) reads it. Plain values
 * only (no nulls: absent text is {@code ""}); the template escapes every string it prints.
 */
public final class ReportView {

  private ReportView() {}

  /** The whole page. */
  public record Page(String title, String generated, String command, List<Table> tables, List<Missing> missing,
      List<Plot> plots, Dag dag, Facts facts, List<Provenance> provenance) {}

  /** A paper table: ours, the paper's and the difference per cell; its claims; its scatter plot. */
  public record Table(String id, String stage, String title, String note, String corner, List<List<Group>> groups,
      List<String> columns, List<Row> rows, List<Claim> claims, String claimsSummary, String scatter, int width) {}

  /** A header cell spanning {@code span} columns. */
  public record Group(String label, int span) {}

  /** A data row ({@code section} empty) or a section separator. */
  public record Row(String section, String label, List<Cell> cells) {}

  /**
   * A table cell.
   *
   * @param band {@code d0}..{@code d4} by |ours - paper| (under 2, 5, 10, 20, or more points), {@code nopaper}, or {@code empty}
   * @param warn the names of the sanity checks that warn for the cell's stage, comma separated, or {@code ""}
   * @param provenance the id of the cell's stage's provenance entry
   */
  public record Cell(boolean empty, String ours, String paper, String diff, String band, String stage, String metric,
      String warn, String provenance, String notReproduced) {
    /** A cell we do not reproduce: the paper's number and why (the row's reason). */
    static Cell notReproduced(String paper, String why) {
      return new Cell(false, "n/r", paper, "", "notreproduced", "", "", "", "", why);
    }
  }

  /**
   * A claim checked on our numbers.
   *
   * @param withinNoise whether test-set noise could have decided it ({@link ClaimResult.Certainty#WITHIN_NOISE})
   */
  public record Claim(boolean holds, String statement, String condition, String decided, boolean withinNoise) {}

  /** A PNG plot. */
  public record Plot(String group, String title, String file) {}

  /** A stage whose artifact the cache lacks. */
  public record Missing(String stage, String type, String reasons) {}

  /** The DAG: an SVG file, or the text form and why there is no drawing. */
  public record Dag(String svg, String text, String problem) {}

  /** Run facts: per stage, and for the whole closure. */
  public record Facts(List<StageFact> stages, String totalCompute, long present, long missing, List<String> host,
      List<String> versions) {}

  /** One stage's run facts. */
  public record StageFact(String name, String type, String status, String wall, String date, String device, String key) {}

  /** Where one stage's numbers come from. */
  public record Provenance(String id, String stage, String type, String key, String path, List<String> params,
      List<String> chain, String device, String wall, String date, List<String> metrics, List<String> execution,
      boolean present) {}
}
