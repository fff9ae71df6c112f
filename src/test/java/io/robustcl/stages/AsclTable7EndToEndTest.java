package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.inject.Guice;
import io.robustcl.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ASCL table 7 on the {@code micro} profile through the real CLI: dual-BN ASCL pre-training, the
 * four fine-tuning strategies (LSF, LAF, FSF, FAF) and their evaluations; every cell a number in
 * [0, 100] beside the paper's, and the table's four claims decided.
 */
class AsclTable7EndToEndTest {

  @TempDir Path temp;

  @Test
  void table7OnMicroFillsEveryCellAndChecksItsClaims() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(Guice.createInjector(com.google.inject.Stage.DEVELOPMENT, Main.modules()),
        new PrintWriter(out, true), new PrintWriter(err, true),
        "run", "pipelines.yaml", "--profile", "micro", "--target", "ascl-table7",
        "--cache", temp.resolve("cache").toString(), "--results", temp.resolve("results").toString(), "--device", "cpu");
    assertEquals(0, code, out + "\n" + err);
    JsonObject table = JsonParser.parseString(
        Files.readString(temp.resolve("results/ascl-table7/table.json"))).getAsJsonObject();
    int filled = 0;
    for (JsonElement row : table.getAsJsonArray("rows")) {
      if (!row.getAsJsonObject().has("cells")) {
        continue; // a section
      }
      List<JsonElement> cells = row.getAsJsonObject().getAsJsonArray("cells").asList();
      assertEquals(3, cells.size());
      for (JsonElement cell : cells) {
        double ours = cell.getAsJsonObject().get("ours").getAsDouble();
        assertTrue(ours >= 0 && ours <= 100, "cell " + cell + " out of [0, 100]");
        assertTrue(cell.getAsJsonObject().get("paper").getAsDouble() >= 0);
        filled++;
      }
    }
    assertEquals(12, filled, "LSF, LAF, FSF, FAF x SA, RA 8/255, RA 16/255");
    assertEquals(4, table.getAsJsonArray("claims").size(), table.toString());
    assertTrue(out.toString().contains("ASCL table 7"), out.toString());
  }
}
