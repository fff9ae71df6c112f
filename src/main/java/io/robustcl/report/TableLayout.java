package io.robustcl.report;

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
 *   columns: [{label: AT, id: at_8}, {label: TRADES, id: trades_8}, AT, TRADES]
 *   rows:
 *     - section: "Supervised"                     # optional separator row
 *     - label: AT
 *       id: at                                    # optional, see below
 *       cells: ["-", {stage: bb-8, metric: acc.AT.TRADES, paper: 77.48}, "-", ...]
 * }</pre>
 *
 * <p>Rows and columns have ids, by which claims name cells ({@code row.column}, see
 * {@link ClaimCondition}): an explicit {@code id}, else the label's slug (lower case, each run
 * of characters other than {@code a-z0-9} becomes one {@code _}, leading and trailing ones
 * dropped: {@code "RoCL+rLE"} is {@code rocl_rle}, {@code "8/255"} is {@code 8_255}). An id
 * that two rows (or two columns) share cannot be named by a claim; give one of them an
 * {@code id}.
 *
 * A cell is {@code "-"} (left empty, as the paper's diagonal) or a map with {@code stage}
 * (a stage wired to the table's {@code cells} port), {@code metric} and optionally
 * {@code paper} (the paper's number) and {@code scale} (multiplies our metric, default 1).
 *
 * @param corner label of the top-left header cell
 * @param groups header rows above the column labels; each row's spans add up to the column count
 * @param columns one label per column
 * @param columnIds one id per column (see above)
 * @param rows data rows and section separators, in display order
 */
public record TableLayout(
    String corner,
    ImmutableList<ImmutableList<Group>> groups,
    ImmutableList<String> columns,
    ImmutableList<String> columnIds,
    ImmutableList<Row> rows) {

  /** Ids are what claims can spell: {@code a-z}, digits and {@code _}. */
  static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[a-z0-9_]+");

  /** A header cell spanning {@code span} columns. */
  public record Group(String label, int span) {}

  /**
   * A table row: a section separator when {@code section} is non-null (then {@code cells}
   * is empty and {@code id} is {@code ""}), otherwise a labelled data row with one cell per
   * column.
   */
  /**
   * @param notReproduced for a row the pipeline does not compute (YAML {@code not_reproduced: "<why>"}):
   *     why; its cells are paper values only; null for a computed row
   */
  public record Row(@Nullable String section, String label, String id, ImmutableList<Cell> cells,
      @Nullable String notReproduced) {
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

    /** {@code "-"}: neither our value nor the paper's. */
    public boolean isEmpty() {
      return stage == null && paper == null;
    }

    /** Whether our value is computed (a stage's metric); false for "-" and for a not-reproduced row's cells. */
    public boolean reproduced() {
      return stage != null;
    }
  }

  /** The id a label gets when none is given: its slug (see the class comment). */
  public static String slug(String label) {
    return label.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
  }

  /**
   * Parses the resolved value of a {@code MAP} param.
   *
   * @param param the param's name, used in error messages
   * @throws TableParamException naming the offending entry
   */
  public static TableLayout parse(String param, Map<String, ?> map) {
    for (String key : map.keySet()) {
      if (!List.of("corner", "groups", "columns", "rows").contains(key)) {
        throw new TableParamException(param + ": unknown key '" + key + "'; expected corner, groups, columns, rows");
      }
    }
    String corner = map.containsKey("corner") ? string(param + ".corner", map.get("corner")) : "";
    List<?> columnList = list(param + ".columns", require(param, map, "columns"));
    ImmutableList.Builder<String> columns = ImmutableList.builder();
    ImmutableList.Builder<String> columnIds = ImmutableList.builder();
    for (int i = 0; i < columnList.size(); i++) {
      String path = param + ".columns[" + i + "]";
      if (columnList.get(i) instanceof Map<?, ?> column) {
        for (Object key : column.keySet()) {
          if (!key.equals("label") && !key.equals("id")) {
            throw new TableParamException(path + ": unknown key '" + key + "'; a column is a label or {label, id}");
          }
        }
        String label = string(path + ".label", require(path, column, "label"));
        columns.add(label);
        columnIds.add(column.containsKey("id") ? id(path + ".id", column.get("id")) : slug(label));
      } else {
        String label = string(path, columnList.get(i));
        columns.add(label);
        columnIds.add(slug(label));
      }
    }
    int width = columnList.size();
    if (width == 0) {
      throw new TableParamException(param + ".columns: give at least one column label");
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
    return new TableLayout(corner, groups.build(), columns.build(), columnIds.build(), rows.build());
  }

  /** The data rows' indices in {@link #rows()}, in display order. */
  public ImmutableList<Integer> dataRows() {
    ImmutableList.Builder<Integer> out = ImmutableList.builder();
    for (int r = 0; r < rows.size(); r++) {
      if (!rows.get(r).isSection()) {
        out.add(r);
      }
    }
    return out.build();
  }

  /**
   * Each column's label with its non-empty group labels folded in, outermost first:
   * {@code "AT (eps 8/255)"}, for formats that cannot span header cells.
   */
  public ImmutableList<String> foldedColumnLabels() {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (int c = 0; c < columns.size(); c++) {
      List<String> above = groupLabels(c);
      out.add(above.isEmpty() ? columns.get(c) : columns.get(c) + " (" + String.join(", ", above) + ")");
    }
    return out.build();
  }

  /** The non-empty labels of the groups above column {@code column}, outermost first. */
  public ImmutableList<String> groupLabels(int column) {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (List<Group> headerRow : groups) {
      int start = 0;
      for (Group group : headerRow) {
        if (column >= start && column < start + group.span() && !group.label().isEmpty()) {
          out.add(group.label());
        }
        start += group.span();
      }
    }
    return out.build();
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
        throw new TableParamException(path + "[" + i + "].span: must be at least 1, got " + span);
      }
      total += (int) span;
      out.add(new Group(label, (int) span));
    }
    if (total != width) {
      throw new TableParamException(
          path + ": the spans add up to " + total + " but there are " + width + " columns; make them equal");
    }
    return out.build();
  }

  private static Row parseRow(String path, Object value, int width) {
    Map<?, ?> row = map(path, value);
    if (row.containsKey("section")) {
      if (row.size() != 1) {
        throw new TableParamException(path + ": a section row has only the key 'section'");
      }
      return new Row(string(path + ".section", row.get("section")), "", "", ImmutableList.of(), null);
    }
    for (Object key : row.keySet()) {
      if (!List.of("label", "id", "cells", "not_reproduced").contains(key)) {
        throw new TableParamException(path + ": unknown key '" + key + "'; a row has label, cells and optionally id"
            + " and not_reproduced (or only section)");
      }
    }
    if (!row.containsKey("label")) {
      throw new TableParamException(path + ": missing 'label'");
    }
    String label = string(path + ".label", row.get("label"));
    if (!row.containsKey("cells")) {
      throw new TableParamException(path + " (" + label + "): missing 'cells'");
    }
    List<?> cellList = list(path + ".cells", row.get("cells"));
    if (cellList.size() != width) {
      throw new TableParamException(
          path + " (" + label + "): " + cellList.size() + " cells for " + width + " columns; give one cell per column"
              + " (\"-\" for an empty one)");
    }
    String notReproduced = row.containsKey("not_reproduced") ? string(path + ".not_reproduced", row.get("not_reproduced"))
        : null;
    ImmutableList.Builder<Cell> cells = ImmutableList.builder();
    for (int c = 0; c < cellList.size(); c++) {
      String cellPath = path + ".cells[" + c + "]";
      Object given = cellList.get(c);
      if (notReproduced == null) {
        cells.add(parseCell(cellPath, given));
      } else if ("-".equals(given)) {
        cells.add(Cell.EMPTY);
      } else if (given instanceof Number n) {
        cells.add(new Cell(null, null, n.doubleValue(), 1.0));
      } else {
        throw new TableParamException(cellPath + " (" + label + "): a not_reproduced row's cells are the paper's"
            + " numbers or \"-\", got " + given);
      }
    }
    String id = row.containsKey("id") ? id(path + ".id", row.get("id")) : slug(label);
    return new Row(null, label, id, cells.build(), notReproduced);
  }

  private static String id(String path, Object value) {
    String id = string(path, value);
    if (!ID.matcher(id).matches()) {
      throw new TableParamException(path + ": '" + id + "' is not an id; use a-z, 0-9 and _ only, e.g. linf_8");
    }
    return id;
  }

  private static Cell parseCell(String path, Object value) {
    if ("-".equals(value)) {
      return Cell.EMPTY;
    }
    if (!(value instanceof Map<?, ?> cell)) {
      throw new TableParamException(path + ": a cell is \"-\" or a map {stage, metric, paper}, got " + value);
    }
    for (Object key : cell.keySet()) {
      if (!List.of("stage", "metric", "paper", "scale").contains(key)) {
        throw new TableParamException(path + ": unknown key '" + key + "'; a cell has stage, metric, paper, scale");
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
      throw new TableParamException(path + ": missing '" + key + "'");
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
    throw new TableParamException(path + ": expected a string, got " + value);
  }

  private static double number(String path, Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw new TableParamException(path + ": expected a number, got " + value);
  }

  private static long integer(String path, Object value) {
    if (value instanceof Long l) {
      return l;
    }
    throw new TableParamException(path + ": expected an integer, got " + value);
  }

  private static List<?> list(String path, Object value) {
    if (value instanceof List<?> l) {
      return l;
    }
    throw new TableParamException(path + ": expected a list, got " + value);
  }

  private static Map<?, ?> map(String path, Object value) {
    if (value instanceof Map<?, ?> m) {
      return m;
    }
    throw new TableParamException(path + ": expected a map, got " + value);
  }
}
