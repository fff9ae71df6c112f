package io.robustcl.pipeline.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.config.FakeStages;
import io.robustcl.pipeline.config.LoadOptions;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyEncoderTest {

  @TempDir Path dir;

  private final KeyEncoder encoder = new KeyEncoder();
  private final Map<String, Stage> registry = FakeStages.registry();
  private final PipelineLoader loader = new PipelineLoader(registry);

  private static final String H1 = "a".repeat(64);
  private static final String H2 = "b".repeat(64);
  private static final Map<String, List<String>> INPUTS = Map.of("data", List.of(H1));

  private StageKey keyOf(String yaml, String stage) throws IOException {
    Path sub = Files.createTempDirectory(dir, "p");
    Files.createDirectories(sub.resolve("stages"));
    Files.writeString(sub.resolve("stages/rocl.yaml"), "type: pretrain\nparams: {eps: 8/255, lambda: 256}\n");
    Path file = sub.resolve("pipeline.yaml");
    Files.writeString(file, yaml);
    PipelineSpec spec = loader.load(file, LoadOptions.defaults());
    StageSpec s = spec.stage(stage);
    return encoder.key(s, registry.get(s.type()), INPUTS);
  }

  @Test
  void formattingCommentsOrderFractionsPresetsAndDefaultsDoNotChangeTheKey() throws IOException {
    StageKey reference = keyOf("""
        stages:
          data:
            type: dataset
          train:
            type: pretrain
            inputs: {data: data}
            params: {epochs: 2, eps: 8/255, lambda: 256}
        """, "train");
    List<String> variants = List.of(
        // block style, comments, reordered params and stages, decimal spelling, explicit defaults
        """
        # a comment
        stages:
          train:   # the trained model
            params:
              lambda: 256.0
              adv: true
              eps: 0.03137254901960784
              lrs: [0.1]
              epochs: 2
            inputs:
              data: data
            type: pretrain
          data: {type: dataset}
        """,
        // values from a preset, renamed stage (names never enter keys), float written as int
        """
        stages:
          d: {type: dataset}
          model:
            extends: rocl
            inputs: {data: d}
            params: {epochs: 2.0}
        """,
        // a var, a whole-value quoted reference, a fraction of decimals
        """
        vars: {e: 2, radius: 16/510}
        stages:
          data: {type: dataset}
          train: {type: pretrain, inputs: {data: data}, params: {epochs: "${e}", eps: "${radius}", lambda: 512/2}}
        """);
    for (String variant : variants) {
      String stage = variant.contains("model:") ? "model" : "train";
      assertEquals(reference, keyOf(variant, stage), variant);
    }
  }

  private final Params base = Params.of(ImmutableMap.of(
      "epochs", 2L, "eps", 8 / 255.0, "name", "x", "adv", true,
      "lrs", ImmutableList.of(0.1, 0.2), "layout", ImmutableMap.of("a", 1L, "b", ImmutableList.of("x", "y"))));

  @Test
  void everyPartOfTheKeyMaterialChangesTheKey() {
    Map<String, List<String>> inputs = Map.of("data", List.of(H1), "sources", List.of(H1, H2));
    StageKey reference = encoder.key("pretrain", 1, base, inputs);
    List<StageKey> changed = List.of(
        encoder.key("pretrain2", 1, base, inputs),
        encoder.key("pretrain", 2, base, inputs),
        encoder.key("pretrain", 1, base.with("epochs", 3L), inputs),
        encoder.key("pretrain", 1, base.with("epochs", 2.0), inputs),
        encoder.key("pretrain", 1, base.with("epochs", "2"), inputs),
        encoder.key("pretrain", 1, base.with("eps", Math.nextUp(8 / 255.0)), inputs),
        encoder.key("pretrain", 1, base.with("name", "y"), inputs),
        encoder.key("pretrain", 1, base.with("adv", false), inputs),
        encoder.key("pretrain", 1, base.with("lrs", ImmutableList.of(0.2, 0.1)), inputs),
        encoder.key("pretrain", 1, base.with("layout", ImmutableMap.of("a", 1L, "b", ImmutableList.of("y", "x"))), inputs),
        encoder.key("pretrain", 1, base.with("layout", ImmutableMap.of("a", 2L, "b", ImmutableList.of("x", "y"))), inputs),
        encoder.key("pretrain", 1, base.with("extra", 0L), inputs),
        encoder.key("pretrain", 1, base, Map.of("data", List.of(H2), "sources", List.of(H1, H2))),
        encoder.key("pretrain", 1, base, Map.of("data", List.of(H1), "sources", List.of(H2, H1))),
        encoder.key("pretrain", 1, base, Map.of("data", List.of(H1), "sources", List.of(H1))),
        encoder.key("pretrain", 1, base, Map.of("data2", List.of(H1), "sources", List.of(H1, H2))),
        encoder.key("pretrain", 1, base, Map.of("data", List.of(H1))));
    Set<StageKey> distinct = new HashSet<>(changed);
    distinct.add(reference);
    assertEquals(changed.size() + 1, distinct.size(), "every change must give a new, distinct key");
  }

  @Test
  void keyIgnoresMapOrderAndEmptyPortsAndIsDeterministic() {
    Map<String, List<String>> sorted = new TreeMap<>(Map.of("a", List.of(H1), "b", List.of(H2)));
    Map<String, List<String>> reversed = new java.util.LinkedHashMap<>();
    reversed.put("b", List.of(H2));
    reversed.put("extra", List.of());
    reversed.put("a", List.of(H1));
    assertEquals(encoder.key("t", 1, base, sorted), encoder.key("t", 1, base, reversed));
    assertEquals(encoder.key("t", 1, base, sorted), new KeyEncoder().key("t", 1, base, sorted));
    assertEquals(64, encoder.key("t", 1, base, sorted).hex().length());
  }

  @Test
  void encodingIsLengthPrefixedSoShiftedBoundariesDoNotCollide() {
    Params ab = Params.of(Map.of("ab", "c"));
    Params a = Params.of(Map.of("a", "bc"));
    assertNotEquals(encoder.key("t", 1, ab, Map.of()), encoder.key("t", 1, a, Map.of()));
    assertNotEquals(encoder.key("ab", 1, Params.empty(), Map.of()), encoder.key("a", 1, Params.of(Map.of("b", "")), Map.of()));
    assertNotEquals(
        encoder.key("t", 1, Params.empty(), Map.of("p", List.of(H1 + H2))),
        encoder.key("t", 1, Params.empty(), Map.of("p", List.of(H1, H2))));
    assertNotEquals(
        encoder.key("t", 1, Params.of(Map.of("l", List.of(List.of("a"), List.of()))), Map.of()),
        encoder.key("t", 1, Params.of(Map.of("l", List.of(List.of(), List.of("a")))), Map.of()));
  }

  @Test
  void canonicalParamsIsSortedTypedAndQuoted() {
    assertEquals(
        "{adv=true, epochs=2, eps=0.03137254901960784, layout={a=1, b=[\"x\", \"y\"]}, lrs=[0.1, 0.2], name=\"x\"}",
        encoder.canonicalParams(base));
    assertEquals("\"a\\\"b\\n\"", encoder.canonicalValue("a\"b\n"));
    assertEquals("0.0", encoder.canonicalValue(-0.0));
  }
}
