package io.robustcl.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-image outcomes: the file, the correlation of two accuracies, and the paired verdicts they give. */
class ImageOutcomesTest {

  @TempDir Path temp;

  /** n flags, the first {@code correct} of them set. */
  private static boolean[] firstCorrect(int n, int correct) {
    boolean[] flags = new boolean[n];
    for (int i = 0; i < correct; i++) {
      flags[i] = true;
    }
    return flags;
  }

  /** An evaluate artifact in its own directory with metric {@code ra} over {@code n} images and its outcomes. */
  private Artifact evaluation(String stage, String images, int n, boolean[] ra) throws Exception {
    Path dir = Files.createDirectories(temp.resolve(stage));
    ImageOutcomes.of(images, n, Map.of("ra", ra)).write(dir);
    double percent = 0;
    for (boolean f : ra) {
      percent += f ? 100.0 / n : 0;
    }
    return new Artifact(stage, "evaluate", "metrics", stage, stage, dir, Params.empty(),
        ImmutableMap.of("ra", percent, SampleCounts.EXAMPLES, (double) n));
  }

  @Test
  void theFileRoundTripsAndTheCorrelationIsThePhiCoefficient() throws Exception {
    // a: images 0-5 right; b: images 2-7 right, of 10. P(a) = P(b) = 0.6, P(a and b) = 0.4:
    // phi = (0.4 - 0.36) / (0.6 * 0.4) = 1/6
    boolean[] a = firstCorrect(10, 6);
    boolean[] b = new boolean[10];
    for (int i = 2; i < 8; i++) {
      b[i] = true;
    }
    Artifact left = evaluation("a", "test:h:10", 10, a);
    Artifact right = evaluation("b", "test:h:10", 10, b);
    ImageOutcomes x = ImageOutcomes.read(left).orElseThrow();
    ImageOutcomes y = ImageOutcomes.read(right).orElseThrow();
    assertEquals("test:h:10", x.images());
    assertEquals(6, x.correct().get("ra").cardinality());
    assertEquals(1.0 / 6, x.correlation("ra", y, "ra").orElseThrow(), 1e-12);
    assertEquals(1.0, x.correlation("ra", x, "ra").orElseThrow(), 1e-12);
    assertTrue(x.correlation("clean", y, "ra").isEmpty(), "a metric without outcomes");
    ImageOutcomes elsewhere = ImageOutcomes.read(evaluation("c", "test:other:10", 10, b)).orElseThrow();
    assertTrue(x.correlation("ra", elsewhere, "ra").isEmpty(), "other images: not paired");
    ImageOutcomes none = ImageOutcomes.read(evaluation("d", "test:h:10", 10, new boolean[10])).orElseThrow();
    assertEquals(0.0, x.correlation("ra", none, "ra").orElseThrow(), "a constant outcome correlates with nothing");
    assertTrue(ImageOutcomes.read(new Artifact("old", "evaluate", "metrics", "k", "h", temp.resolve("nowhere"),
        Params.empty(), ImmutableMap.of())).isEmpty(), "an artifact from before outcomes has none");
  }

  @Test
  void anUnreadableFileNamesTheStageAndHowToRecomputeIt() throws Exception {
    Artifact broken = evaluation("eval-x", "test:h:4", 4, firstCorrect(4, 1));
    Files.writeString(broken.file(ImageOutcomes.FILE), "{\"images\": \"test:h:4\", \"count\": 4, \"correct\": {\"ra\": \"!!\"}}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageOutcomes.read(broken));
    assertTrue(e.getMessage().startsWith("stage 'eval-x': ") && e.getMessage().contains("outcomes.json")
        && e.getMessage().endsWith("--force eval-x"), e.getMessage());
    Files.writeString(broken.file(ImageOutcomes.FILE), "{\"images\": \"test:h:4\", \"count\": 2, \"correct\": {\"ra\": \"CA==\"}}");
    e = assertThrows(IllegalArgumentException.class, () -> ImageOutcomes.read(broken));
    assertTrue(e.getMessage().contains("marks image 3 of 2"), e.getMessage());
  }

  @Test
  void claimsOverCellsScoredOnTheSameImagesArePaired() throws Exception {
    TableLayout layout = TableLayout.parse("layout", Map.of(
        "columns", List.of("RA"),
        "rows", List.of(Map.of("label", "A", "cells", List.of(Map.of("stage", "a", "metric", "ra", "paper", 50.0))),
            Map.of("label", "B", "cells", List.of(Map.of("stage", "b", "metric", "ra", "paper", 40.0))))));
    List<Claim> claims = Claim.parseAll("claims", List.of(
        Map.of("statement", "A beats B", "condition", "a.ra > b.ra"),
        Map.of("statement", "A is A", "condition", "a.ra - a.ra + 0.5 > 0")), layout);
    // 41.0 % against 40.0 % on 1000 images: independent, the difference's error is 2.2 points and 1.0
    // is noise; but B is right on a subset of A's images (correlation 0.98), so the paired error is 0.3
    Artifact a = evaluation("a", "test:h:1000", 1000, firstCorrect(1000, 410));
    Artifact b = evaluation("b", "test:h:1000", 1000, firstCorrect(1000, 400));
    ResolvedTable paired = ResolvedTable.resolve("T", "n", layout, claims, List.of(a, b), 1);
    assertEquals(List.of(ClaimResult.Certainty.FIRM, ClaimResult.Certainty.FIRM),
        paired.claims().stream().map(ClaimResult::certainty).toList());
    Artifact elsewhere = evaluation("b", "test:other:1000", 1000, firstCorrect(1000, 400));
    ResolvedTable unpaired = ResolvedTable.resolve("T", "n", layout, claims, List.of(a, elsewhere), 1);
    assertEquals(ClaimResult.Certainty.WITHIN_NOISE, unpaired.claims().get(0).certainty(),
        "other images: independent errors");
    assertEquals(ClaimResult.Certainty.FIRM, unpaired.claims().get(1).certainty(), "a cell named twice moves with itself");
  }
}
