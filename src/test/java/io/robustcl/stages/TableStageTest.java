package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableStageTest {

  @TempDir Path temp;

  private static Artifact artifact(String stage, Map<String, Double> metrics) {
    return new Artifact(stage, "black-box", "metrics", "k-" + stage, "h-" + stage, Path.of("/nonexistent"),
        Params.empty(), ImmutableMap.copyOf(metrics));
  }

  private static Map<String, Object> cell(String stage, String metric, double paper) {
    return Map.of("stage", stage, "metric", metric, "paper", paper);
  }

  /** A 2x2 black-box layout with one group row and an empty diagonal. */
  private static Map<String, Object> layout() {
    return Map.of(
        "corner", "target \\ source",
        "groups", List.of(List.of(Map.of("label", "eps 8/255", "span", 2L))),
        "columns", List.of("AT", "TRADES"),
        "rows", List.of(
            Map.of("section", "Supervised"),
            Map.of("label", "AT", "cells", List.of("-", cell("bb", "acc.AT.TRADES", 77.48))),
            Map.of("label", "TRADES", "cells", List.of(cell("bb", "acc.TRADES.AT", 60.73), "-"))));
  }

  private FakeStageContext context(Map<String, Object> layout, List<Artifact> cells) {
    return context(layout, List.of(), cells);
  }

  private FakeStageContext context(Map<String, Object> layout, List<?> claims, List<Artifact> cells) {
    Params params = Params.of(
        Map.of("title", "T2", "layout", layout, "claims", claims, "note", "ours / paper", "digits", 1L));
    return new FakeStageContext(params, Map.of(TableStage.CELLS, cells), temp);
  }

  @Test
  void aNotReproducedRowShowsThePapersNumbersAndWhy() throws Exception {
    Map<String, Object> layout = Map.of(
        "columns", List.of("AT", "TRADES"),
        "rows", List.of(
            Map.of("label", "AT", "cells", List.of("-", cell("bb", "acc.AT.TRADES", 77.48))),
            Map.of("label", "SAT", "not_reproduced", "no public code", "cells", List.of(51.53, "-"))));
    List<Map<String, Object>> claims = List.of(Map.of("statement", "SAT's number is the paper's",
        "condition", "sat.at.paper > 50"));
    FakeStageContext ctx = context(layout, claims, List.of(artifact("bb", Map.of("acc.AT.TRADES", 70.0))));
    new TableStage().run(ctx);
    String md = Files.readString(ctx.outputDir.resolve("table.md"));
    assertTrue(md.contains("| SAT | n/r / 51.53 | - |"), md);
    assertTrue(md.contains("Not reproduced (n/r): SAT: no public code"), md);
    JsonObject json = JsonParser.parseString(Files.readString(ctx.outputDir.resolve("table.json"))).getAsJsonObject();
    JsonObject sat = json.getAsJsonArray("rows").get(1).getAsJsonObject();
    assertEquals("no public code", sat.get("not_reproduced").getAsString());
    JsonObject cell = sat.getAsJsonArray("cells").get(0).getAsJsonObject();
    assertTrue(cell.get("ours").isJsonNull());
    assertEquals(51.53, cell.get("paper").getAsDouble());
    assertTrue(md.contains("✓ SAT's number is the paper's"), md);
    Map<String, Object> bad = Map.of("columns", List.of("AT"), "rows", List.of(
        Map.of("label", "SAT", "not_reproduced", "why", "cells", List.of(cell("bb", "acc.AT.TRADES", 1)))));
    assertThrows(RuntimeException.class, () -> new TableStage().run(context(bad, List.of())));
  }

  @Test
  void claimsArePrintedUnderTheTableAndWrittenToJson() throws Exception {
    List<Map<String, Object>> claims = List.of(
        Map.of("statement", "AT's examples hurt TRADES more than the reverse",
            "condition", "trades.at < at.trades"),
        Map.of("statement", "both far from the paper", "condition", "abs(at.trades - at.trades.paper) < 5"));
    FakeStageContext ctx = context(layout(), claims,
        List.of(artifact("bb", Map.of("acc.AT.TRADES", 55.26, "acc.TRADES.AT", 41.04))));
    new TableStage().run(ctx);

    String md = Files.readString(ctx.outputDir.resolve("table.md"));
    assertTrue(md.contains("(1 of 2 hold; 2 without a noise estimate"), "no stage recorded its count: " + md);
    assertTrue(md.contains("- ✓ AT's examples hurt TRADES more than the reverse: `trades.at < at.trades` (41.0 < 55.3)"), md);
    assertTrue(md.contains("- ✗ both far from the paper: `abs(at.trades - at.trades.paper) < 5` (abs(55.3 - 77.5) < 5)"), md);
    JsonObject json = JsonParser.parseString(Files.readString(ctx.outputDir.resolve("table.json"))).getAsJsonObject();
    JsonObject first = json.getAsJsonArray("claims").get(0).getAsJsonObject();
    assertTrue(first.get("holds").getAsBoolean());
    assertEquals(41.04, first.getAsJsonObject("cells").get("trades.at").getAsDouble(), 1e-9);
    assertEquals(2.0, ctx.metrics.get("claims"));
    assertEquals(1.0, ctx.metrics.get("claims_holding"));
  }

  @Test
  void validateNamesTheClaimAndTheUnknownCell() {
    List<String> problems = new TableStage().validate(Params.of(Map.of("title", "t", "layout", layout(),
        "claims", List.of(Map.of("statement", "s", "condition", "at.trades > rocl.at")))));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("claims[0].condition (at character 13"), problems.get(0));
    assertTrue(problems.get(0).contains("unknown row 'rocl'; the table's row ids are at, trades"), problems.get(0));
  }

  @Test
  void rendersOursBesidePaperInAllFourFormats() throws Exception {
    FakeStageContext ctx = context(layout(),
        List.of(artifact("bb", Map.of("acc.AT.TRADES", 55.26, "acc.TRADES.AT", 41.04))));
    new TableStage().run(ctx);

    String md = Files.readString(ctx.outputDir.resolve("table.md"));
    assertTrue(md.contains("| AT | - | 55.3 / 77.48 |"), md);
    assertTrue(md.contains("| TRADES | 41.0 / 60.73 | - |"), md);
    assertTrue(md.contains("| **Supervised** |"), md);
    assertTrue(md.contains("| target \\ source | AT (eps 8/255) | TRADES (eps 8/255) |"), md);

    List<String> csv = Files.readAllLines(ctx.outputDir.resolve("table.csv"));
    assertEquals("section,target \\ source,eps 8/255 AT (ours),eps 8/255 AT (paper),"
        + "eps 8/255 TRADES (ours),eps 8/255 TRADES (paper)", csv.get(0));
    assertEquals("Supervised,AT,,,55.3,77.48", csv.get(1));
    assertEquals("Supervised,TRADES,41.0,60.73,,", csv.get(2));

    String tex = Files.readString(ctx.outputDir.resolve("table.tex"));
    assertTrue(tex.contains("\\multicolumn{2}{c}{eps 8/255}"), tex);
    assertTrue(tex.contains("AT & - & 55.3 (77.48) \\\\"), tex);

    JsonObject json = JsonParser.parseString(Files.readString(ctx.outputDir.resolve("table.json"))).getAsJsonObject();
    var rows = json.getAsJsonArray("rows");
    assertEquals("Supervised", rows.get(0).getAsJsonObject().get("section").getAsString());
    var atCells = rows.get(1).getAsJsonObject().getAsJsonArray("cells");
    assertTrue(atCells.get(0).isJsonNull());
    assertEquals(55.26, atCells.get(1).getAsJsonObject().get("ours").getAsDouble(), 1e-9);
    assertEquals(77.48, atCells.get(1).getAsJsonObject().get("paper").getAsDouble(), 1e-9);
    assertEquals(2.0, ctx.metrics.get("cells"));
  }

  @Test
  void missingMetricNamesCellStageAndAvailableMetrics() {
    FakeStageContext ctx = context(layout(), List.of(artifact("bb", Map.of("acc.AT.TRADES", 55.0))));
    var e = assertThrows(IllegalArgumentException.class, () -> new TableStage().run(ctx));
    assertTrue(e.getMessage().contains("row 'TRADES'"), e.getMessage());
    assertTrue(e.getMessage().contains("'acc.TRADES.AT'"), e.getMessage());
    assertTrue(e.getMessage().contains("acc.AT.TRADES"), e.getMessage());
    assertFalse(Files.exists(ctx.outputDir.resolve("table.md")), "nothing written on failure");
  }

  @Test
  void cellNamingUnwiredStageFails() {
    FakeStageContext ctx = context(layout(), List.of(artifact("other", Map.of())));
    var e = assertThrows(IllegalArgumentException.class, () -> new TableStage().run(ctx));
    assertTrue(e.getMessage().contains("'bb'") && e.getMessage().contains("not wired"), e.getMessage());
  }

  @Test
  void validateReportsLayoutErrorsWithTheirPath() {
    TableStage stage = new TableStage();
    Map<String, Object> badSpan = Map.of(
        "columns", List.of("A", "B"),
        "groups", List.of(List.of(Map.of("label", "g", "span", 3L))),
        "rows", List.of());
    List<String> problems = stage.validate(Params.of(Map.of("title", "t", "layout", badSpan)));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("layout.groups[0]") && problems.get(0).contains("3"), problems.get(0));

    Map<String, Object> shortRow = Map.of(
        "columns", List.of("A", "B"),
        "rows", List.of(Map.of("label", "r", "cells", List.of("-"))));
    problems = stage.validate(Params.of(Map.of("title", "t", "layout", shortRow)));
    assertTrue(problems.get(0).contains("layout.rows[0] (r): 1 cells for 2 columns"), problems.get(0));

    Map<String, Object> badCell = Map.of(
        "columns", List.of("A"),
        "rows", List.of(Map.of("label", "r", "cells", List.of(Map.of("stage", "s")))));
    problems = stage.validate(Params.of(Map.of("title", "t", "layout", badCell)));
    assertTrue(problems.get(0).contains("layout.rows[0].cells[0]: missing 'metric'"), problems.get(0));

    assertEquals(List.of(), stage.validate(Params.of(Map.of("title", "t", "layout", layout(), "claims", List.of()))));
  }

  @Test
  void scaleMultipliesOurValue() throws Exception {
    Map<String, Object> layout = Map.of(
        "columns", List.of("clean"),
        "rows", List.of(Map.of("label", "AT", "cells",
            List.of(Map.of("stage", "ev", "metric", "accuracy", "paper", 81.63, "scale", 100L)))));
    FakeStageContext ctx = context(layout, List.of(artifact("ev", Map.of("accuracy", 0.5))));
    new TableStage().run(ctx);
    assertTrue(Files.readString(ctx.outputDir.resolve("table.md")).contains("| AT | 50.0 / 81.63 |"));
  }
}
