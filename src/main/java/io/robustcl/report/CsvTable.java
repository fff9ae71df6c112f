package io.robustcl.report;

import io.robustcl.report.TableLayout.Group;
import io.robustcl.report.TableLayout.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link ResolvedTable} as RFC 4180 CSV: one line per data row, two columns per
 * table column ({@code "<header> (ours)"}, {@code "<header> (paper)"}), empty cells empty;
 * section rows are dropped and their name goes to a leading {@code section} column.
 */
final class CsvTable {

  private CsvTable() {}

  static String render(ResolvedTable table) {
    TableLayout layout = table.layout();
    List<String> headers = columnHeaders(layout);
    StringBuilder out = new StringBuilder();
    List<String> first = new ArrayList<>();
    first.add("section");
    first.add(layout.corner().isEmpty() ? "row" : layout.corner());
    for (String header : headers) {
      first.add(header + " (ours)");
      first.add(header + " (paper)");
    }
    line(out, first);
    String section = "";
    for (int r = 0; r < layout.rows().size(); r++) {
      Row row = layout.rows().get(r);
      if (row.isSection()) {
        section = row.section();
        continue;
      }
      List<String> cells = new ArrayList<>();
      cells.add(section);
      cells.add(row.label());
      for (int c = 0; c < headers.size(); c++) {
        boolean empty = row.cells().get(c).isEmpty();
        cells.add(empty ? "" : table.oursText(r, c));
        String paper = table.paperText(r, c);
        cells.add(empty || paper.equals("-") ? "" : paper);
      }
      line(out, cells);
    }
    return out.toString();
  }

  /** Each column's label prefixed by its group labels, e.g. {@code "eps 8/255 AT"}. */
  static List<String> columnHeaders(TableLayout layout) {
    List<String> headers = new ArrayList<>(layout.columns());
    for (int g = layout.groups().size() - 1; g >= 0; g--) {
      int column = 0;
      for (Group group : layout.groups().get(g)) {
        for (int i = 0; i < group.span(); i++, column++) {
          if (!group.label().isEmpty()) {
            headers.set(column, group.label() + " " + headers.get(column));
          }
        }
      }
    }
    return headers;
  }

  private static void line(StringBuilder out, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      String cell = cells.get(i);
      if (cell.contains(",") || cell.contains("\"") || cell.contains("\n")) {
        out.append('"').append(cell.replace("\"", "\"\"")).append('"');
      } else {
        out.append(cell);
      }
    }
    out.append("\r\n");
  }
}
