package io.robustcl.stages;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The layout of a paper table as declared in a {@code table} stage's {@code layout} param:
 * header rows of column groups, the column labels, and rows of cells that name the input
 * stage and metric to show next to the paper's number.
 *
 * <pre>{@code
 * layout:
 *   corner: "target \\ source"
 *   groups: [[{label: "eps 8/255", span: 2}, {label: "eps 16/255", span: 2}]]
 *   columns: [AT, TRADES, AT, TRADES]
 *   rows:
 *     - section: "Supervised"                     # optional separator row
 *     - label: AT
 *       cells: ["-", {stage: bb-8, metric: acc.AT.TRADES, paper: 77.48}, "-", ...]
 * }</pre>
 *
 * A cell is {@code "-"} (left empty, as the paper's diagonal) or a map with {@code stage}
 * (a stage wired to the table's {@code cells} port), {@code metric} and optionally
 * {@code paper} (the paper's number) and {@code scale} (multiplies our metric, default 1).
 *
 * @param corner label of the top-left header cell
 * @param groups header rows above the column labels; each row's spans add up to the column count
 * @param columns one label per column
 * @param rows data rows and section separators, in display order
 */
public record TableLayout(
    String corner,
    ImmutableList<ImmutableList<Group>> groups,
    ImmutableList<String> columns,
    ImmutableList<Row> rows) {

  /** A header cell spanning {@code span} columns. */
  public record Group(String label, int span) {}

  /**
   * A table row: a section separator when {@code section} is non-null (then {@code cells}
   * is empty), otherwise a labelled data row with one cell per column.
   */
  public record Row(@Nullable String section, String label, ImmutableList<Cell> cells) {
    public boolean isSection() {
      return section != null;
    }
  }

  /**
   * One cell: empty when {@code stage} is null, else our value is {@code metric} of the
   * artifact of {@code stage}, times {@code scale}.
   */
  public record Cell(@Nullable String stage, @Nullable String metric, @Nullable Double paper, double scale) {
    static final Cell EMPTY = new Cell(null, null, null, 1.0);

    public boolean isEmpty() {
      return stage == null;
    }
  }

  /** Thrown for a malformed layout; the message names the param path and how to fix it. */
  public static final class LayoutException extends IllegalArgumentException {
    LayoutException(String message) {
      super(message);
    }
  }

  /**
   * Parses the resolved value of a {@code MAP} param.
   *
   * @param param the param's name, used in error messages
   * @throws LayoutException naming the offending entry
   */
  public static TableLayout parse(String param, Map<String, Object> map) {
    for (String key : map.keySet()) {
      if (!List.of("corner", "groups", "columns", "rows").contains(key)) {
        throw new LayoutException(param + ": unknown key '" + key + "'; expected corner, groups, columns, rows");
      }
    }
    String corner = map.containsKey("corner") ? string(param + ".corner", map.get("corner")) : "";
    List<?> columnList = list(param + ".columns", require(param, map, "columns"));
    ImmutableList.Builder<String> columns = ImmutableList.builder();
    for (int i = 0; i < columnList.size(); i++) {
      columns.add(string(param + ".columns[" + i + "]", columnList.get(i)));
    }
    int width = columnList.size();
    if (width == 0) {
      throw new LayoutException(param + ".columns: give at least one column label");
    }
    ImmutableList.Builder<ImmutableList<Group>> groups = ImmutableList.builder();
    if (map.containsKey("groups")) {
      List<?> headerRows = list(param + ".groups", map.get("groups"));
      for (int r = 0; r < headerRows.size(); r++) {
        groups.add(parseGroups(param + ".groups[" + r + "]", headerRows.get(r), width));
      }
    }
    List<?> rowList = list(param + ".rows", require(param, map, "rows"));
    ImmutableList.Builder<Row> rows = ImmutableList.builder();
    for (int r = 0; r < rowList.size(); r++) {
      rows.add(parseRow(param + ".rows[" + r + "]", rowList.get(r), width));
    }
    return new TableLayout(corner, groups.build(), columns.build(), rows.build());
  }

  /** The stage names the cells refer to, in order of first appearance. */
  public ImmutableList<String> referencedStages() {
    List<String> names = new ArrayList<>();
    for (Row row : rows) {
      for (Cell cell : row.cells()) {
        if (cell.stage() != null && !names.contains(cell.stage())) {
          names.add(cell.stage());
        }
      }
    }
    return ImmutableList.copyOf(names);
  }

  private static ImmutableList<Group> parseGroups(String path, Object value, int width) {
    List<?> entries = list(path, value);
    ImmutableList.Builder<Group> out = ImmutableList.builder();
    int total = 0;
    for (int i = 0; i < entries.size(); i++) {
      Map<?, ?> entry = map(path + "[" + i + "]", entries.get(i));
      String label = entry.containsKey("label") ? string(path + "[" + i + "].label", entry.get("label")) : "";
      long span = entry.containsKey("span") ? integer(path + "[" + i + "].span", entry.get("span")) : 1;
      if (span < 1) {
        throw new LayoutException(path + "[" + i + "].span: must be at least 1, got " + span);
      }
      total += (int) span;
      out.add(new Group(label, (int) span));
    }
    if (total != width) {
      throw new LayoutException(
          path + ": the spans add up to " + total + " but there are " + width + " columns; make them equal");
    }
    return out.build();
  }

  private static Row parseRow(String path, Object value, int width) {
    Map<?, ?> row = map(path, value);
    if (row.containsKey("section")) {
      if (row.size() != 1) {
        throw new LayoutException(path + ": a section row has only the key 'section'");
      }
      return new Row(string(path + ".section", row.get("section")), "", ImmutableList.of());
    }
    for (Object key : row.keySet()) {
      if (!key.equals("label") && !key.equals("cells")) {
        throw new LayoutException(path + ": unknown key '" + key + "'; a row has label and cells (or only section)");
      }
    }
    if (!row.containsKey("label")) {
      throw new LayoutException(path + ": missing 'label'");
    }
    String label = string(path + ".label", row.get("label"));
    if (!row.containsKey("cells")) {
      throw new LayoutException(path + " (" + label + "): missing 'cells'");
    }
    List<?> cellList = list(path + ".cells", row.get("cells"));
    if (cellList.size() != width) {
      throw new LayoutException(
          path + " (" + label + "): " + cellList.size() + " cells for " + width + " columns; give one cell per column"
              + " (\"-\" for an empty one)");
    }
    ImmutableList.Builder<Cell> cells = ImmutableList.builder();
    for (int c = 0; c < cellList.size(); c++) {
      cells.add(parseCell(path + ".cells[" + c + "]", cellList.get(c)));
    }
    return new Row(null, label, cells.build());
  }

  private static Cell parseCell(String path, Object value) {
    if ("-".equals(value)) {
      return Cell.EMPTY;
    }
    if (!(value instanceof Map<?, ?> cell)) {
      throw new LayoutException(path + ": a cell is \"-\" or a map {stage, metric, paper}, got " + value);
    }
    for (Object key : cell.keySet()) {
      if (!List.of("stage", "metric", "paper", "scale").contains(key)) {
        throw new LayoutException(path + ": unknown key '" + key + "'; a cell has stage, metric, paper, scale");
      }
    }
    String stage = string(path + ".stage", require(path, cell, "stage"));
    String metric = string(path + ".metric", require(path, cell, "metric"));
    Double paper = cell.containsKey("paper") ? number(path + ".paper", cell.get("paper")) : null;
    double scale = cell.containsKey("scale") ? number(path + ".scale", cell.get("scale")) : 1.0;
    return new Cell(stage, metric, paper, scale);
  }

  private static Object require(String path, Map<?, ?> map, String key) {
    Object value = map.get(key);
    if (value == null) {
      throw new LayoutException(path + ": missing '" + key + "'");
    }
    return value;
  }

  private static String string(String path, Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    throw new LayoutException(path + ": expected a string, got " + value);
  }

  private static double number(String path, Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw new LayoutException(path + ": expected a number, got " + value);
  }

  private static long integer(String path, Object value) {
    if (value instanceof Long l) {
      return l;
    }
    throw new LayoutException(path + ": expected an integer, got " + value);
  }

  private static List<?> list(String path, Object value) {
    if (value instanceof List<?> l) {
      return l;
    }
    throw new LayoutException(path + ": expected a list, got " + value);
  }

  private static Map<?, ?> map(String path, Object value) {
    if (value instanceof Map<?, ?> m) {
      return m;
    }
    throw new LayoutException(path + ": expected a map, got " + value);
  }
}
