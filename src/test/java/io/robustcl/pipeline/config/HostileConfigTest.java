package io.robustcl.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounds that keep hostile pipeline files from hanging the loader or exhausting memory (issue 12, item 6). */
class HostileConfigTest {

  @TempDir Path dir;

  private final PipelineLoader loader = new PipelineLoader(FakeStages.registry());

  private String error(String yaml) throws IOException {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml);
    return assertThrows(ConfigException.class, () -> loader.load(file, LoadOptions.defaults())).getMessage();
  }

  @Test
  void manyProblemsAreCappedWithACountOfTheRest() throws IOException {
    StringBuilder yaml = new StringBuilder("stages:\n");
    for (int i = 0; i < 300; i++) {
      yaml.append("  s").append(i).append(": {type: merge, inputs: {in: [missing").append(i).append("]}}\n");
    }
    List<String> lines = error(yaml.toString()).lines().toList();
    assertEquals(Problems.MAX_KEPT + 1, lines.size(), "capped, plus one line counting the rest");
    assertEquals("... and " + (300 - Problems.MAX_KEPT) + " more problems (fix these first)", lines.get(lines.size() - 1));
    assertTrue(lines.stream().allMatch(l -> l.length() <= Problems.MAX_LINE + 40), "every line is bounded");
  }

  @Test
  void hugeNamesGetNoSuggestionAndTheSearchIsBounded() {
    String huge = "a".repeat(5_000);
    assertEquals("", ClosestName.suggestion(huge, List.of(huge + "b")), "a 5,000-character name is no typo");
    assertEquals(" (did you mean 'epochs'?)", ClosestName.suggestion("epohcs", List.of("eps", "epochs", huge)));
  }

  @Test
  void theBandedDistanceAgreesWithTheFullOneWithinItsLimit() {
    Random random = new Random(7);
    for (int n = 0; n < 2_000; n++) {
      String a = word(random);
      String b = word(random);
      int full = ClosestName.distance(a, b);
      for (int limit = 0; limit <= 6; limit++) {
        int banded = ClosestName.distance(a, b, limit);
        if (full <= limit) {
          assertEquals(full, banded, a + " / " + b + " limit " + limit);
        } else {
          assertTrue(banded > limit, a + " / " + b + " limit " + limit);
        }
      }
    }
  }

  private static String word(Random random) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(9); i > 0; i--) {
      s.append((char) ('a' + random.nextInt(3)));
    }
    return s.toString();
  }

  @Test
  void listsOfKnownNamesAreCapped() {
    List<String> names = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "n" + i).toList();
    String listed = ClosestName.list(names);
    assertTrue(listed.endsWith(" ... and " + (100 - ClosestName.MAX_LISTED) + " more"), listed);
  }

  @Test
  void aVarPastedIntoTextMayNotMakeAHugeValue() throws IOException {
    String message = error("vars:\n  big: " + "x".repeat(40_000) + "\n"
        + "stages:\n  data: {type: dataset, params: {dir: \"a${big}b${big}\"}}\n");
    assertTrue(message.contains("more than " + Vars.MAX_SCALAR_CHARS + " characters"), message);
    assertTrue(message.startsWith(dir.resolve("pipeline.yaml") + ":4:"), message);
  }

  @Test
  void anExpansionBombFailsWithOneProblem() throws IOException {
    StringBuilder yaml = new StringBuilder("vars:\n  big: " + "x".repeat(60_000) + "\nstages:\n");
    for (int i = 0; i < 200; i++) {
      yaml.append("  s").append(i).append(": {type: dataset, params: {dir: \"${big}\"}}\n");
    }
    String message = error(yaml.toString());
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains("expansion bomb"), message);
  }
}
