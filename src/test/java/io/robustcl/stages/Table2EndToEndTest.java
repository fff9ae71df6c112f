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
 * lambda reruns RoCL's downstream and nothing else.
 */
class Table2EndToEndTest {

  private static final Pattern STATUS = Pattern.compile("^\\s+(cached|done|FAILED|skipped)\\s+(\\S+)", Pattern.MULTILINE);

  /** Stages downstream of pretrain-rocl in table2's closure. */
  private static final Set<String> ROCL_DOWNSTREAM = Set.of(
      "pretrain-rocl", "le-rocl", "attack-rocl-pgd-8", "attack-rocl-pgd-16", "attack-rocl-inst-8",
      "attack-rocl-inst-16", "black-box-8", "black-box-16", "rocl-table2");
  /** Stages whose inputs are not content-changed by lambda for sure: black-box's outputs may come out identical. */
  private static final Set<String> MAY_CUT_OFF = Set.of("rocl-table2");

  @TempDir Path temp;

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
  void table2OnMicroFillsEveryCellCachesAndInvalidatesOnlyRoclDownstream() throws Exception {
    Run first = run();
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
      }
      assertTrue(run.out().contains("Claims of the paper"), "claims printed under " + target);
    }
  }
}
