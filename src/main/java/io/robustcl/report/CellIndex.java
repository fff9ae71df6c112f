package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import io.robustcl.report.TableLayout.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a table's cells by row id and column id (see {@link TableLayout} for how ids are
 * given or derived), for claims. Section rows have no id.
 */
final class CellIndex {

  private final TableLayout layout;
  private final Map<String, List<Integer>> rowsById = new LinkedHashMap<>();
  private final Map<String, List<Integer>> columnsById = new LinkedHashMap<>();

  CellIndex(TableLayout layout) {
    this.layout = layout;
    for (int r : layout.dataRows()) {
      rowsById.computeIfAbsent(layout.rows().get(r).id(), k -> new ArrayList<>()).add(r);
    }
    for (int c = 0; c < layout.columnIds().size(); c++) {
      columnsById.computeIfAbsent(layout.columnIds().get(c), k -> new ArrayList<>()).add(c);
    }
  }

  /** A located cell: its row index in {@link TableLayout#rows()} and its column index. */
  record Position(int row, int column) {}

  /**
   * The cell {@code rowId.columnId}.
   *
   * @param where the param path and position in the condition, for the error
   * @param paper whether the paper's value is wanted (it must then be given in the layout)
   * @throws TableParamException when the row or column is unknown or ambiguous, or the cell
   *     is empty
   */
  Position find(String where, String rowId, String columnId, boolean paper) {
    int row = unique(where, "row", rowId, rowsById, r -> layout.rows().get(r).label(), "rows[i].id");
    int column = unique(where, "column", columnId, columnsById, c -> layout.columns().get(c), "columns[i]: {label, id}");
    TableLayout.Cell cell = layout.rows().get(row).cells().get(column);
    String name = rowId + "." + columnId;
    if (cell.isEmpty()) {
      throw new TableParamException(where + ": cell " + name + " is empty (\"-\") in the layout; name a cell with a value");
    }
    if (!paper && !cell.reproduced()) {
      throw new TableParamException(where + ": cell " + name + " is not reproduced (only the paper's number);"
          + " name " + name + ".paper or a reproduced cell");
    }
    if (paper && cell.paper() == null) {
      throw new TableParamException(where + ": cell " + name + " has no paper value; add `paper:` to it or drop `.paper`");
    }
    return new Position(row, column);
  }

  private static int unique(String where, String what, String id, Map<String, List<Integer>> byId,
      java.util.function.IntFunction<String> label, String fix) {
    List<Integer> found = byId.get(id);
    if (found == null) {
      throw new TableParamException(where + ": unknown " + what + " '" + id + "'; the table's " + what + " ids are "
          + String.join(", ", byId.keySet()));
    }
    if (found.size() > 1) {
      List<String> labels = new ArrayList<>();
      found.forEach(i -> labels.add("'" + label.apply(i) + "'"));
      throw new TableParamException(where + ": " + what + " id '" + id + "' is shared by " + String.join(" and ", labels)
          + "; give them distinct ids in the layout (" + fix + ")");
    }
    return found.get(0);
  }

  /** The data rows' ids, for docs and errors. */
  ImmutableList<String> rowIds() {
    return ImmutableList.copyOf(rowsById.keySet());
  }
}
