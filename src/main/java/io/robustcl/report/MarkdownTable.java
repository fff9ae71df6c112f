package io.robustcl.report;

import io.robustcl.report.TableLayout.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link ResolvedTable} as GitHub-flavoured Markdown, each cell "ours / paper",
 * then the table's claims (✓/✗ with the numbers that decided them). Markdown cannot span
 * header cells, so each column's groups are folded into its label: {@code AT (eps 8/255)}.
 */
final class MarkdownTable {

  /** Marks a cell whose stage's sanity checks warn (as the HTML report does). */
  static final String WARN = "\u26A0";

  private MarkdownTable() {}

  static String render(ResolvedTable table) {
    TableLayout layout = table.layout();
    StringBuilder out = new StringBuilder();
    out.append("### ").append(table.title()).append("\n\n");
    List<String> header = new ArrayList<>();
    header.add(layout.corner());
    header.addAll(layout.foldedColumnLabels());
    line(out, header);
    out.append('|');
    for (int i = 0; i < header.size(); i++) {
      out.append(i == 0 ? " --- |" : " ---: |");
    }
    out.append('\n');
    for (int r = 0; r < layout.rows().size(); r++) {
      Row row = layout.rows().get(r);
      List<String> cells = new ArrayList<>();
      if (row.isSection()) {
        cells.add("**" + row.section() + "**");
        for (int c = 0; c < layout.columns().size(); c++) {
          cells.add("");
        }
      } else {
        cells.add(row.label());
        for (int c = 0; c < layout.columns().size(); c++) {
          cells.add((table.warns(r, c) ? WARN + " " : "") + table.sideBySide(r, c));
        }
      }
      line(out, cells);
    }
    out.append('\n').append(table.note()).append('\n');
    String warnings = table.warningNote(WARN);
    if (!warnings.isEmpty()) {
      out.append('\n').append(warnings).append('\n');
    }
    // once per label and reason (RoCL table 4 has the same baseline in two sections)
    java.util.Set<String> notReproduced = new java.util.LinkedHashSet<>();
    for (Row row : layout.rows()) {
      if (row.notReproduced() != null) {
        notReproduced.add("\nNot reproduced (n/r): " + row.label() + ": " + row.notReproduced() + "\n");
      }
    }
    notReproduced.forEach(out::append);
    if (!table.claims().isEmpty()) {
      long holding = table.claims().stream().filter(ClaimResult::holds).count();
      String noise = ClaimResult.noiseNote(count(table, ClaimResult.Certainty.WITHIN_NOISE),
          count(table, ClaimResult.Certainty.UNKNOWN));
      out.append("\nClaims of the paper, checked on our numbers (").append(holding).append(" of ")
          .append(table.claims().size()).append(" hold").append(noise.isEmpty() ? "" : "; " + noise).append("):\n\n");
      for (ClaimResult claim : table.claims()) {
        out.append("- ").append(claim.mark()).append(' ').append(claim.claim().statement()).append(": `")
            .append(claim.claim().condition().text()).append("` (").append(claim.decided())
            .append(claim.certainty() == ClaimResult.Certainty.WITHIN_NOISE ? "; within noise" : "").append(")\n");
      }
    }
    return out.toString();
  }

  private static long count(ResolvedTable table, ClaimResult.Certainty certainty) {
    return table.claims().stream().filter(c -> c.certainty() == certainty).count();
  }

  private static void line(StringBuilder out, List<String> cells) {
    out.append('|');
    for (String cell : cells) {
      out.append(' ').append(cell.replace("|", "\\|")).append(" |");
    }
    out.append('\n');
  }
}
