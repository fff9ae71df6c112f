package io.robustcl.stages;

import io.robustcl.stages.TableLayout.Group;
import io.robustcl.stages.TableLayout.Row;
import java.util.ArrayList;
import java.util.List;

/** Renders a {@link ResolvedTable} as GitHub-flavoured Markdown, each cell "ours / paper". */
final class MarkdownTable {

  private MarkdownTable() {}

  static String render(ResolvedTable table) {
    TableLayout layout = table.layout();
    StringBuilder out = new StringBuilder();
    out.append("### ").append(table.title()).append("\n\n");
    // Markdown has no column spans: each group header row repeats its label over its span.
    for (List<Group> groups : layout.groups()) {
      List<String> cells = new ArrayList<>();
      cells.add("");
      for (Group group : groups) {
        for (int i = 0; i < group.span(); i++) {
          cells.add(group.label());
        }
      }
      line(out, cells);
      if (groups == layout.groups().get(0)) {
        separator(out, cells.size());
      }
    }
    List<String> header = new ArrayList<>();
    header.add(layout.corner());
    header.addAll(layout.columns());
    line(out, header);
    if (layout.groups().isEmpty()) {
      separator(out, header.size());
    }
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
          cells.add(table.sideBySide(r, c));
        }
      }
      line(out, cells);
    }
    out.append('\n').append(table.note()).append('\n');
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells) {
    out.append('|');
    for (String cell : cells) {
      out.append(' ').append(cell.replace("|", "\\|")).append(" |");
    }
    out.append('\n');
  }

  private static void separator(StringBuilder out, int count) {
    out.append('|');
    for (int i = 0; i < count; i++) {
      out.append(i == 0 ? " --- |" : " ---: |");
    }
    out.append('\n');
  }
}
