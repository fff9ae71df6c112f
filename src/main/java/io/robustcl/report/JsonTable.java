package io.robustcl.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.robustcl.report.TableLayout.Cell;
import io.robustcl.report.TableLayout.Group;
import io.robustcl.report.TableLayout.Row;
import java.util.List;

/**
 * Renders a {@link ResolvedTable} as JSON: {@code title}, {@code note}, {@code groups},
 * {@code columns}, {@code column_ids}, {@code rows} each with {@code label} and {@code id}
 * (or {@code section}) and {@code cells} of {@code {ours, paper, stage, metric}} (null for an
 * empty cell), and {@code claims} of {@code {statement, condition, holds, decided, cells}}
 * where {@code cells} maps each cell the condition names to the value used.
 */
final class JsonTable {

  private JsonTable() {}

  static String render(ResolvedTable table) {
    TableLayout layout = table.layout();
    JsonObject root = new JsonObject();
    root.addProperty("title", table.title());
    root.addProperty("note", table.note());
    root.addProperty("corner", layout.corner());
    JsonArray groups = new JsonArray();
    for (List<Group> headerRow : layout.groups()) {
      JsonArray row = new JsonArray();
      for (Group group : headerRow) {
        JsonObject g = new JsonObject();
        g.addProperty("label", group.label());
        g.addProperty("span", group.span());
        row.add(g);
      }
      groups.add(row);
    }
    root.add("groups", groups);
    JsonArray columns = new JsonArray();
    layout.columns().forEach(columns::add);
    root.add("columns", columns);
    JsonArray columnIds = new JsonArray();
    layout.columnIds().forEach(columnIds::add);
    root.add("column_ids", columnIds);
    JsonArray rows = new JsonArray();
    for (int r = 0; r < layout.rows().size(); r++) {
      Row row = layout.rows().get(r);
      JsonObject out = new JsonObject();
      if (row.isSection()) {
        out.addProperty("section", row.section());
        rows.add(out);
        continue;
      }
      out.addProperty("label", row.label());
      out.addProperty("id", row.id());
      if (row.notReproduced() != null) {
        out.addProperty("not_reproduced", row.notReproduced());
      }
      JsonArray cells = new JsonArray();
      for (int c = 0; c < row.cells().size(); c++) {
        Cell cell = row.cells().get(c);
        if (cell.isEmpty()) {
          cells.add(com.google.gson.JsonNull.INSTANCE);
          continue;
        }
        JsonObject value = new JsonObject();
        value.addProperty("ours", table.ours().get(r).get(c));
        value.addProperty("paper", cell.paper());
        value.addProperty("stage", cell.stage());
        value.addProperty("metric", cell.metric());
        cells.add(value);
      }
      out.add("cells", cells);
      rows.add(out);
    }
    root.add("rows", rows);
    JsonArray claims = new JsonArray();
    for (ClaimResult result : table.claims()) {
      JsonObject claim = new JsonObject();
      claim.addProperty("statement", result.claim().statement());
      claim.addProperty("condition", result.claim().condition().text());
      claim.addProperty("holds", result.holds());
      claim.addProperty("decided", result.decided());
      claim.addProperty("certainty", result.certainty().label());
      JsonObject cells = new JsonObject();
      List<ClaimCondition.CellRef> refs = result.claim().condition().refs();
      for (int i = 0; i < refs.size(); i++) {
        double value = result.values().get(i);
        if (Double.isFinite(value)) {
          cells.addProperty(refs.get(i).name(), value);
        } else {
          cells.addProperty(refs.get(i).name(), String.valueOf(value));
        }
      }
      claim.add("cells", cells);
      claims.add(claim);
    }
    root.add("claims", claims);
    return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root) + "\n";
  }
}
