package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.robustcl.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RoCL table 2 on the {@code micro} profile through the real CLI and modules: every
 * non-diagonal cell is a number in [0, 100]; a second run recomputes nothing; changing RoCL's
 * lambda reruns RoCL's downstream and nothing else. The first run's HTML report is checked in
 * headless Chromium (skipped, naming the packages, where it is not installed).
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class Table2EndToEndTest {

  private static final Pattern STATUS = Pattern.compile("^\\s+(cached|done|FAILED|skipped)\\s+(\\S+)", Pattern.MULTILINE);

  /** Stages downstream of pretrain-rocl in table2's closure. */
  private static final Set<String> ROCL_DOWNSTREAM = Set.of(
      "pretrain-rocl", "le-rocl", "attack-rocl-pgd-8", "attack-rocl-pgd-16", "attack-rocl-inst-8",
      "attack-rocl-inst-16", "black-box-8", "black-box-16", "rocl-table2");
  /** Stages whose inputs are not content-changed by lambda for sure: black-box's outputs may come out identical. */
  private static final Set<String> MAY_CUT_OFF = Set.of("rocl-table2");

  @TempDir static Path temp;

  /** The first, cold run, shared by the tests (the browser test reads its report). */
  private Run first;

  @org.junit.jupiter.api.BeforeAll
  void coldRun() {
    first = run();
  }

  private record Run(int code, String out, String err) {
    Set<String> with(String status) {
      Set<String> names = new LinkedHashSet<>();
      Matcher m = STATUS.matcher(out);
      while (m.find()) {
        if (m.group(1).equals(status)) {
          names.add(m.group(2));
        }
      }
      return names;
    }
  }

  private static Injector injector() {
    return Guice.createInjector(com.google.inject.Stage.DEVELOPMENT, Main.modules());
  }

  private Run run(String... extra) {
    return runTargets(List.of("table2"), extra);
  }

  private Run runTargets(List<String> targets, String... extra) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args = new java.util.ArrayList<>(List.of("run", "pipelines.yaml", "--profile", "micro"));
    for (String target : targets) {
      args.addAll(List.of("--target", target));
    }
    args.addAll(List.of("--cache", temp.resolve("cache").toString(),
        "--results", temp.resolve("results").toString(), "--device", "cpu"));
    args.addAll(List.of(extra));
    int code = Main.execute(injector(), new PrintWriter(out, true), new PrintWriter(err, true),
        args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void theRunsReportWorksInHeadlessChromium() throws Exception {
    assertEquals(0, first.code(), first.out() + first.err());
    Path index = temp.resolve("results/report/index.html");
    assertTrue(first.out().contains("report: " + index), "the run says where the report is: " + first.out());
    org.junit.jupiter.api.Assumptions.assumeTrue(io.robustcl.testing.HeadlessChromium.missing().isEmpty(),
        io.robustcl.testing.HeadlessChromium.INSTALL);
    org.openqa.selenium.chrome.ChromeDriver browser = io.robustcl.testing.HeadlessChromium.open();
    try {
      browser.get(index.toUri().toString());
      assertEquals(List.of(), io.robustcl.testing.HeadlessChromium.consoleErrors(browser), "no console errors");

      // every cell of the table, each a number, and every plot
      List<org.openqa.selenium.WebElement> cells =
          browser.findElements(org.openqa.selenium.By.cssSelector("table.paper[data-stage='rocl-table2'] td.cell"));
      assertEquals(16, cells.size(), "every filled cell of table 2 is on the page");
      for (org.openqa.selenium.WebElement cell : cells) {
        String ours = cell.findElement(org.openqa.selenium.By.cssSelector(".ours")).getText();
        assertTrue(ours.matches("\\d+\\.\\d\\d"), "cell shows a number: " + ours);
      }
      long pngs;
      try (var files = Files.list(temp.resolve("results/report/plots"))) {
        pngs = files.filter(f -> f.toString().endsWith(".png")).count();
      }
      assertTrue(pngs >= 5, "learning curves of AT, TRADES, RoCL and its LE, and the scatter plot: " + pngs);
      assertEquals(pngs, browser.findElements(org.openqa.selenium.By.cssSelector("#plots figure img")).size());
      assertEquals(1, browser.findElements(org.openqa.selenium.By.cssSelector("img.scatter")).size());
      assertEquals(1, browser.findElements(org.openqa.selenium.By.cssSelector("ul.claims")).size(), "the claims");

      // clicking a cell shows its provenance
      cells.get(0).click();
      String cellInfo = browser.findElement(org.openqa.selenium.By.id("cell-info")).getText();
      String stageInfo = browser.findElement(org.openqa.selenium.By.id("stage-info")).getText();
      assertTrue(cellInfo.contains("acc.TRADES.AT") || cellInfo.contains("acc.AT.TRADES"), cellInfo);
      assertTrue(stageInfo.contains("black-box-8") && stageInfo.contains("Upstream chain")
          && stageInfo.matches("(?s).*\\b[0-9a-f]{64}\\b.*"), "stage, key and chain: " + stageInfo);

      // every image loads
      Object broken = browser.executeScript(
          "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);");
      assertEquals(List.of(), broken, "images that did not load");
      assertTrue(browser.findElements(org.openqa.selenium.By.tagName("img")).size() >= pngs + 1);
      assertEquals(List.of(), io.robustcl.testing.HeadlessChromium.consoleErrors(browser), "no console errors after the click");
    } finally {
      browser.quit();
    }
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  void table2OnMicroFillsEveryCellCachesAndInvalidatesOnlyRoclDownstream() throws Exception {
    assertEquals(0, first.code(), first.out() + first.err());
    Set<String> all = first.with("done");
    assertTrue(all.containsAll(ROCL_DOWNSTREAM), "first run computes everything: " + all);

    JsonObject table = JsonParser.parseString(
        Files.readString(temp.resolve("results/table2/table.json"))).getAsJsonObject();
    int filled = 0;
    for (JsonElement row : table.getAsJsonArray("rows")) {
      List<JsonElement> cells = row.getAsJsonObject().getAsJsonArray("cells").asList();
      assertEquals(8, cells.size());
      for (JsonElement cell : cells) {
        if (cell.isJsonNull()) {
          continue;
        }
        double ours = cell.getAsJsonObject().get("ours").getAsDouble();
        assertTrue(ours >= 0 && ours <= 100, "cell " + cell + " out of [0, 100]");
        filled++;
      }
    }
    assertEquals(16, filled, "AT and TRADES rows have 3 sources per eps, RoCL's row 2");
    assertTrue(first.out().contains("RoCL table 2"), "the table is printed: " + first.out());

    Run second = run();
    assertEquals(0, second.code(), second.err());
    assertEquals(Set.of(), second.with("done"), "nothing recomputed on a cached run");
    assertEquals(all, second.with("cached"));

    Run changed = run("--set", "rocl_lambda=128");
    assertEquals(0, changed.code(), changed.err());
    Set<String> reran = changed.with("done");
    Set<String> expected = new LinkedHashSet<>(ROCL_DOWNSTREAM);
    expected.removeAll(MAY_CUT_OFF);
    assertTrue(reran.containsAll(expected), "RoCL's downstream reran: " + reran);
    assertTrue(ROCL_DOWNSTREAM.containsAll(reran), "only RoCL's downstream reran: " + reran);
    Set<String> untouched = new LinkedHashSet<>(all);
    untouched.removeAll(ROCL_DOWNSTREAM);
    assertTrue(changed.with("cached").containsAll(untouched), "AT, TRADES and data stay cached: " + changed.out());
  }

  /**
   * Two of issue 9's tables (RoCL table 6, a PGD-steps matrix over RoCL's LE model; UPAT table 5, two
   * UPAT pre-trainings with their UPAT-Linear heads): every cell is a number in [0, 100] and every
   * declared claim is evaluated (a boolean and the numbers that decided it).
   */
  @Test
  void newTablesOnMicroFillTheirCellsAndEvaluateTheirClaims() throws Exception {
    Run run = runTargets(List.of("rocl-table6", "upat-table5"));
    assertEquals(0, run.code(), run.out() + run.err());
    for (String target : List.of("rocl-table6", "upat-table5")) {
      JsonObject table = JsonParser.parseString(
          Files.readString(temp.resolve("results/" + target + "/table.json"))).getAsJsonObject();
      int filled = 0;
      for (JsonElement row : table.getAsJsonArray("rows")) {
        for (JsonElement cell : row.getAsJsonObject().getAsJsonArray("cells")) {
          double ours = cell.getAsJsonObject().get("ours").getAsDouble();
          assertTrue(ours >= 0 && ours <= 100, target + ": cell " + cell + " out of [0, 100]");
          filled++;
        }
      }
      assertEquals(target.equals("rocl-table6") ? 3 : 6, filled, target);
      List<JsonElement> claims = table.getAsJsonArray("claims").asList();
      assertTrue(!claims.isEmpty(), target + " declares claims");
      for (JsonElement claim : claims) {
        assertTrue(claim.getAsJsonObject().get("holds").isJsonPrimitive(), target + ": " + claim);
        assertTrue(!claim.getAsJsonObject().get("decided").getAsString().isEmpty(), target + ": " + claim);
        // the evaluate stages record their test-set size, so every verdict is judged against its noise
        assertTrue(List.of("firm", "within noise").contains(claim.getAsJsonObject().get("certainty").getAsString()),
            target + ": " + claim);
      }
      assertTrue(run.out().contains("Claims of the paper"), "claims printed under " + target);
    }
  }
}
