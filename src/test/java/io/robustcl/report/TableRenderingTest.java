package io.robustcl.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 15 item 3: markdown folds column groups into labels; CSV and TeX keep the groups. */
class TableRenderingTest {

  private static Map<String, Object> cell(String metric, double paper) {
    return cell("ev", metric, paper);
  }

  private static Map<String, Object> cell(String stage, String metric, double paper) {
    return Map.of("stage", stage, "metric", metric, "paper", paper);
  }

  /** Two group rows (network, then norm) over four columns, like RoCL table 1. */
  static ResolvedTable table() {
    Map<String, Object> layout = Map.of(
        "corner", "Method",
        "groups", List.of(
            List.of(Map.of("label", "ResNet-18", "span", 4L)),
            List.of(Map.of("label", "", "span", 1L), Map.of("label", "seen l_inf", "span", 2L),
                Map.of("label", "unseen l_2", "span", 1L))),
        "columns", List.of(Map.of("label", "A_nat", "id", "clean"), Map.of("label", "8/255", "id", "linf_8"),
            "16/255", "0.25"),
        "rows", List.of(Map.of("label", "RoCL", "cells",
            List.of(cell("clean", 83.71), cell("linf8", 40.27), cell("linf16", 9.55), cell("l2", 66.39)))));
    Artifact ev = new Artifact("ev", "evaluate", "metrics", "k", "h", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("clean", 80.0, "linf8", 30.0, "linf16", 5.0, "l2", 60.0));
    TableLayout parsed = TableLayout.parse("layout", layout);
    return ResolvedTable.resolve("T1", "note", parsed, List.of(), List.of(ev), 1);
  }

  @Test
  void markdownHasOneHeaderRowWithGroupsFoldedIntoColumnLabels() {
    String md = MarkdownTable.render(table());
    List<String> lines = md.lines().filter(l -> l.startsWith("|")).toList();
    assertEquals("| Method | A_nat (ResNet-18) | 8/255 (ResNet-18, seen l_inf) | 16/255 (ResNet-18, seen l_inf)"
        + " | 0.25 (ResNet-18, unseen l_2) |", lines.get(0));
    assertEquals("| --- | ---: | ---: | ---: | ---: |", lines.get(1));
    assertEquals("| RoCL | 80.0 / 83.71 | 30.0 / 40.27 | 5.0 / 9.55 | 60.0 / 66.39 |", lines.get(2));
    assertEquals(3, lines.size(), "no repeated group rows: " + md);
    assertFalse(md.contains("| ResNet-18 | ResNet-18 |"), md);
  }

  @Test
  void cellsOfAStageWhoseSanityChecksWarnAreMarked() {
    Map<String, Object> layout = Map.of(
        "columns", List.of("clean", "AA"),
        "rows", List.of(Map.of("label", "ours", "cells", List.of(cell("clean", 80.0), cell("autoattack/linf:8/255", 40.0))),
            Map.of("label", "other", "cells", List.of(cell("ok", "clean", 70.0), cell("ok", "aa", 30.0)))));
    // evaluate's names: a figure and a pass flag per check; only the flag decides
    Artifact warned = new Artifact("ev", "evaluate", "metrics", "k", "h", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("clean", 81.0, "autoattack/linf:8/255", 45.0, CheckMetrics.figure("gradient-nonzero"), 0.25,
            CheckMetrics.pass("gradient-nonzero"), 0.0, CheckMetrics.figure("returns-logits"), 0.0,
            CheckMetrics.pass("returns-logits"), 1.0));
    Artifact fine = new Artifact("ok", "evaluate", "metrics", "k2", "h2", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("clean", 71.0, "aa", 31.0, CheckMetrics.pass("gradient-nonzero"), 1.0));
    ResolvedTable table = ResolvedTable.resolve("T", "note", TableLayout.parse("layout", layout), List.of(),
        List.of(warned, fine), 1);
    String md = MarkdownTable.render(table);
    assertTrue(md.contains("| ours | \u26A0 81.0 / 80.00 | \u26A0 45.0 / 40.00 |"), md);
    assertTrue(md.contains("| other | 71.0 / 70.00 | 31.0 / 30.00 |"), md);
    assertTrue(md.contains("\u26A0: the stage's sanity checks warn, do not trust the number as is: ev (gradient-nonzero)"), md);
    String tex = LatexTable.render(table);
    assertTrue(tex.contains("81.0$^\\dagger$ (80.00)") && tex.contains("71.0 (70.00)"), tex);
    assertTrue(tex.contains("$\\dagger$: the stage's sanity checks warn") && tex.contains("gradient-nonzero"), tex);
    assertFalse(MarkdownTable.render(table()).contains("\u26A0"), "no mark without a warning");
  }

  @Test
  void csvKeepsGroupsInEachHeaderAndTexSpansThem() {
    String csv = CsvTable.render(table());
    assertTrue(csv.startsWith("section,Method,ResNet-18 A_nat (ours),ResNet-18 A_nat (paper),"
        + "ResNet-18 seen l_inf 8/255 (ours),"), csv);
    String tex = LatexTable.render(table());
    assertTrue(tex.contains("& \\multicolumn{4}{c}{ResNet-18} \\\\\n\\cmidrule(lr){2-5}"), tex);
    assertTrue(tex.contains("& \\multicolumn{2}{c}{seen l\\_inf}"), tex);
    assertTrue(tex.contains("\\cmidrule(lr){3-4}\\cmidrule(lr){5-5}"), tex);
  }

  @Test
  void columnIdsAreGivenOrSlugged() {
    TableLayout layout = table().layout();
    assertEquals(List.of("clean", "linf_8", "16_255", "0_25"), layout.columnIds());
    assertEquals("rocl", layout.rows().get(0).id());
    assertEquals("rocl_rle", TableLayout.slug("RoCL+rLE"));
    assertEquals("trades", TableLayout.slug("TRADES*"));
  }

  @Test
  void notReproducedCellsShowThePapersNumberAndRowsSayWhy() {
    Map<String, Object> layout = Map.of(
        "columns", List.of("RA", "SA"),
        "rows", List.of(
            Map.of("label", "ASCL", "cells", List.of(cell("ra", 53.09), Map.of("paper", 81.67))),
            Map.of("label", "Selfie", "not_reproduced", "not implemented here",
                "cells", List.of(37.65, "-"))));
    Artifact ev = new Artifact("ev", "evaluate", "metrics", "k", "h", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("ra", 50.0));
    TableLayout parsed = TableLayout.parse("layout", layout);
    ResolvedTable table = ResolvedTable.resolve("T", "note", parsed, List.of(), List.of(ev), 1);
    String md = MarkdownTable.render(table);
    assertTrue(md.contains("| ASCL | 50.0 / 53.09 | n/r / 81.67 |"), md);
    assertTrue(md.contains("| Selfie | n/r / 37.65 | - |"), md);
    assertTrue(md.contains("Not reproduced (n/r): Selfie: not implemented here"), md);
    assertTrue(CsvTable.render(table).contains("n/r,37.65"), CsvTable.render(table));
    assertTrue(JsonTable.render(table).contains("\"not_reproduced\": \"not implemented here\""), JsonTable.render(table));
    // a claim may name the paper's number of such a cell, not ours
    assertTrue(Claim.parseAll("claims", List.of(Map.of("statement", "s", "condition", "ascl.ra > selfie.ra.paper")), parsed)
        .size() == 1);
    TableParamException e = org.junit.jupiter.api.Assertions.assertThrows(TableParamException.class,
        () -> Claim.parseAll("claims", List.of(Map.of("statement", "s", "condition", "ascl.ra > selfie.ra")), parsed));
    assertTrue(e.getMessage().contains("not reproduced"), e.getMessage());
    // a not_reproduced row cannot also name a stage
    org.junit.jupiter.api.Assertions.assertThrows(TableParamException.class, () -> TableLayout.parse("layout", Map.of(
        "columns", List.of("RA"),
        "rows", List.of(Map.of("label", "X", "not_reproduced", "why", "cells", List.of(cell("ra", 1.0)))))));
  }

  @Test
  void claimsSayWhetherTheTestSetNoiseCouldDecideThem() {
    Map<String, Object> layout = Map.of(
        "columns", List.of("clean", "RA"),
        "rows", List.of(Map.of("label", "A", "cells", List.of(cell("clean", 80.0), cell("ra", 50.0))),
            Map.of("label", "B", "cells", List.of(cell("other", "clean", 70.0), cell("other", "ra", 40.0)))));
    TableLayout parsed = TableLayout.parse("layout", layout);
    List<Claim> claims = Claim.parseAll("claims", List.of(
        Map.of("statement", "A is more robust", "condition", "a.ra > b.ra"),
        Map.of("statement", "A is more accurate", "condition", "a.clean > b.clean")), parsed);
    // 1000 images: the error of a difference near 50 % is about 2.2 points, so 1.0 is noise and 20 is not
    Artifact a = new Artifact("ev", "evaluate", "metrics", "k", "h", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("clean", 90.0, "ra", 41.0, SampleCounts.EXAMPLES, 1000.0));
    Artifact b = new Artifact("other", "evaluate", "metrics", "k2", "h2", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("clean", 70.0, "ra", 40.0, SampleCounts.EXAMPLES, 1000.0));
    ResolvedTable table = ResolvedTable.resolve("T", "n", parsed, claims, List.of(a, b), 1);
    assertEquals(List.of(ClaimResult.Certainty.WITHIN_NOISE, ClaimResult.Certainty.FIRM),
        table.claims().stream().map(ClaimResult::certainty).toList());
    String md = MarkdownTable.render(table);
    assertTrue(md.contains("(2 of 2 hold; 1 of the verdicts within noise (a difference under 1.96 standard errors"), md);
    assertTrue(md.contains("- ✓ A is more robust: `a.ra > b.ra` (41.0 > 40.0; within noise)"), md);
    assertTrue(md.contains("- ✓ A is more accurate: `a.clean > b.clean` (90.0 > 70.0)\n"), md);
    com.google.gson.JsonArray json = com.google.gson.JsonParser.parseString(JsonTable.render(table))
        .getAsJsonObject().getAsJsonArray("claims");
    assertEquals("within noise", json.get(0).getAsJsonObject().get("certainty").getAsString());
    assertEquals("firm", json.get(1).getAsJsonObject().get("certainty").getAsString());

    Artifact uncounted = new Artifact("other", "evaluate", "metrics", "k2", "h2", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("clean", 70.0, "ra", 40.0));
    ResolvedTable half = ResolvedTable.resolve("T", "n", parsed, claims, List.of(a, uncounted), 1);
    assertEquals(ClaimResult.Certainty.WITHIN_NOISE, half.claims().get(0).certainty(),
        "one side's error is enough to call 1 point noise");
    Artifact none = new Artifact("ev", "evaluate", "metrics", "k", "h", Path.of("/nonexistent"), Params.empty(),
        ImmutableMap.of("clean", 90.0, "ra", 41.0));
    ResolvedTable unknown = ResolvedTable.resolve("T", "n", parsed, claims, List.of(none, uncounted), 1);
    assertEquals(ClaimResult.Certainty.UNKNOWN, unknown.claims().get(0).certainty());
    String unknownMd = MarkdownTable.render(unknown);
    assertTrue(unknownMd.contains("(2 of 2 hold; 2 without a noise estimate"), "no count, no verdict, and the heading says so: " + unknownMd);
    assertFalse(unknownMd.contains("within noise"), unknownMd);
  }

  @Test
  void standardErrorsAreAgrestiCoullsAndOnlyForAccuracies() {
    Map<String, Double> metrics = Map.of("clean", 50.0, "zero", 0.0, SampleCounts.EXAMPLES, 96.0,
        CheckMetrics.figure("gradient-nonzero"), 0.5);
    // p~ = (48 + 2) / 100 = 0.5: sqrt(0.25 / 100) = 5 points
    assertEquals(5.0, SampleCounts.standardError(metrics, "clean").orElseThrow(), 1e-9);
    // p~ = 2 / 100: sqrt(0.02 * 0.98 / 100) = 1.4 points, not 0
    assertEquals(1.4, SampleCounts.standardError(metrics, "zero").orElseThrow(), 1e-9);
    assertTrue(SampleCounts.standardError(metrics, CheckMetrics.figure("gradient-nonzero")).isEmpty());
    assertTrue(SampleCounts.standardError(metrics, SampleCounts.EXAMPLES).isEmpty());
    assertTrue(SampleCounts.standardError(Map.of("clean", 50.0), "clean").isEmpty());
  }

  @Test
  void claimsOverCellsWithoutAPaperValueAreLeftOutOfThePaperCheck() {
    Map<String, Object> layout = Map.of(
        "columns", List.of("RA", "cost"),
        "rows", List.of(Map.of("label", "A", "cells", List.of(cell("ra", 50.0), Map.of("stage", "ev", "metric", "s"))),
            Map.of("label", "B", "cells", List.of(cell("ra", 40.0), Map.of("stage", "ev", "metric", "s")))));
    TableLayout parsed = TableLayout.parse("layout", layout);
    List<Claim> claims = Claim.parseAll("claims", List.of(
        Map.of("statement", "ra", "condition", "a.ra > b.ra"), Map.of("statement", "cost", "condition", "a.cost < b.cost")),
        parsed);
    ResolvedTable paper = ResolvedTable.ofPaper("T", "n", parsed, claims, 2);
    assertEquals(1, paper.claims().size());
    assertTrue(paper.claims().get(0).holds());
  }
}
