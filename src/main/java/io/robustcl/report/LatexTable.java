package io.robustcl.report;

import io.robustcl.report.TableLayout.Group;
import io.robustcl.report.TableLayout.Row;
import java.util.List;

/**
 * Renders a {@link ResolvedTable} as a LaTeX {@code table} with booktabs rules; group header
 * rows become {@code \multicolumn}s and each cell reads "ours (paper)".
 */
final class LatexTable {

  private LatexTable() {}

  static String render(ResolvedTable table) {
    TableLayout layout = table.layout();
    int width = layout.columns().size();
    StringBuilder out = new StringBuilder();
    out.append("% requires \\usepackage{booktabs}\n");
    out.append("\\begin{table}[t]\n\\centering\n");
    out.append("\\caption{").append(escape(table.title())).append(". ").append(escape(table.note())).append("}\n");
    out.append("\\begin{tabular}{l").append("c".repeat(width)).append("}\n\\toprule\n");
    for (List<Group> groups : layout.groups()) {
      out.append(' ');
      int column = 2;
      StringBuilder rules = new StringBuilder();
      for (Group group : groups) {
        out.append(" & \\multicolumn{").append(group.span()).append("}{c}{").append(escape(group.label())).append('}');
        if (!group.label().isEmpty()) {
          rules.append("\\cmidrule(lr){").append(column).append('-').append(column + group.span() - 1).append('}');
        }
        column += group.span();
      }
      out.append(" \\\\\n");
      if (rules.length() > 0) {
        out.append(rules).append('\n');
      }
    }
    out.append(escape(layout.corner()));
    for (String column : layout.columns()) {
      out.append(" & ").append(escape(column));
    }
    out.append(" \\\\\n\\midrule\n");
    for (int r = 0; r < layout.rows().size(); r++) {
      Row row = layout.rows().get(r);
      if (row.isSection()) {
        out.append("\\multicolumn{").append(width + 1).append("}{l}{\\textit{").append(escape(row.section()))
            .append("}} \\\\\n");
        continue;
      }
      out.append(escape(row.label()));
      for (int c = 0; c < width; c++) {
        out.append(" & ");
        if (row.cells().get(c).isEmpty()) {
          out.append('-');
        } else {
          out.append(table.oursText(r, c)).append(table.warns(r, c) ? "$^\\dagger$" : "").append(" (")
              .append(table.paperText(r, c)).append(')');
        }
      }
      out.append(" \\\\\n");
    }
    out.append("\\bottomrule\n\\end{tabular}\n");
    String warnings = table.warningNote("$\\dagger$");
    if (!warnings.isEmpty()) {
      out.append("\\par\\footnotesize ").append(warnings.replace("$\\dagger$", "\u0001").transform(LatexTable::escape)
          .replace("\u0001", "$\\dagger$")).append('\n');
    }
    out.append("\\end{table}\n");
    return out.toString();
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '\\' -> out.append("\\textbackslash{}");
        case '&', '%', '$', '#', '_', '{', '}' -> out.append('\\').append(ch);
        case '~' -> out.append("\\textasciitilde{}");
        case '^' -> out.append("\\textasciicircum{}");
        case 'ε' -> out.append("$\\epsilon$");
        case '∞' -> out.append("$\\infty$");
        case 'ℓ' -> out.append("$\\ell$");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }
}
