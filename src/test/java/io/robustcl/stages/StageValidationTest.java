package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stage.validate catches bad params before anything runs, naming the param and the fix. */
class StageValidationTest {

  /** The stage's defaults with {@code overrides} applied. */
  static Params params(Stage stage, Map<String, Object> overrides) {
    TreeMap<String, Object> values = new TreeMap<>();
    for (ParamSpec spec : stage.params()) {
      if (spec.defaultValue() != null) {
        values.put(spec.name(), spec.defaultValue());
      }
    }
    values.putAll(overrides);
    return Params.of(values);
  }

  @Test
  void datasetPathMustHoldTheBinaryFormat(@TempDir Path dir) throws Exception {
    DatasetStage stage = new DatasetStage();
    List<String> missing = stage.validate(params(stage, Map.of("source", "cifar10", "path", dir.resolve("nope").toString())));
    assertTrue(missing.get(0).contains("param 'path'") && missing.get(0).contains("does not exist"), missing.toString());

    List<String> empty = stage.validate(params(stage, Map.of("source", "cifar10", "path", dir.toString())));
    assertTrue(empty.get(0).contains("cifar-10-batches-bin"), empty.toString());

    Path bin = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
    Files.write(bin.resolve("test_batch.bin"), new byte[0]);
    assertEquals(List.of(), stage.validate(params(stage, Map.of("source", "cifar10", "path", dir.toString()))));
    assertEquals(bin, DatasetStage.formatDir("cifar10", dir));
    assertEquals(bin, DatasetStage.formatDir("cifar10", bin));

    List<String> noPath = stage.validate(params(stage, Map.of("source", "cifar100")));
    assertTrue(noPath.get(0).contains("--data-dir"), noPath.toString());
    assertEquals(List.of(), stage.validate(params(stage, Map.of("source", "cifar100", "download", true))));
    List<String> noCounts = stage.validate(params(stage, Map.of("source", "synthetic")));
    assertTrue(noCounts.get(0).contains("train_count"), noCounts.toString());
  }

  @Test
  void attackRejectsNegativeEpsAndInstanceWiseOtherNorms() {
    AttackStage stage = new AttackStage();
    assertTrue(stage.validate(params(stage, Map.of("eps", -0.1))).get(0).contains("param 'eps'"));
    assertTrue(stage.validate(params(stage, Map.of("method", "instance-wise", "norm", "l2"))).get(0)
        .contains("param 'norm'"));
    assertEquals(List.of(), stage.validate(params(stage, Map.of("method", "instance-wise"))));
  }

  @Test
  void evaluateParsesAttackSpecs() {
    EvaluateStage stage = new EvaluateStage();
    assertEquals(List.of(), stage.validate(params(stage, Map.of())));
    List<String> bad = stage.validate(params(stage, Map.of("threats", List.of("linf:8/255", "l3:1", "l2:x", "linf:8/255"))));
    assertEquals(3, bad.size(), bad.toString());
    assertTrue(bad.get(0).contains("unknown norm 'l3'"), bad.toString());
    assertTrue(bad.get(1).contains("'x' is not a number"), bad.toString());
    assertTrue(bad.get(2).contains("twice"), bad.toString());
    List<String> attacks = stage.validate(params(stage, Map.of("attacks", List.of("pgd", "fgsm", "apgd-l1"))));
    assertTrue(attacks.get(0).contains("unknown attack 'fgsm'"), attacks.toString());
    assertTrue(attacks.get(1).contains("apgd-l1 is not defined for linf"), attacks.toString());
    AttackSpec spec = AttackSpec.parse("l1:7.84");
    assertEquals("l1", spec.norm());
    assertEquals(7.84, spec.eps());
    assertEquals(8 / 255.0, AttackSpec.parse("linf:8/255").eps(), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> AttackSpec.parse("linf:-1"));
  }

  @Test
  void pretrainChecksMethodSpecificParams() {
    PretrainStage stage = new PretrainStage();
    assertTrue(stage.validate(params(stage, Map.of("method", "rocl", "lambda", 0.0))).stream()
        .anyMatch(p -> p.contains("param 'lambda'")));
    assertTrue(stage.validate(params(stage, Map.of("method", "simclr", "augment", "none"))).stream()
        .anyMatch(p -> p.contains("param 'augment'")));
    assertTrue(stage.validate(params(stage, Map.of("method", "ce", "depth", 34L))).stream()
        .anyMatch(p -> p.contains("param 'depth'")));
    assertTrue(stage.validate(params(stage, Map.of("method", "at", "warmup_epochs", 200L))).stream()
        .anyMatch(p -> p.contains("param 'warmup_epochs'")));
    assertEquals(List.of(), stage.validate(params(stage, Map.of("method", "rocl"))));
  }

  @Test
  void blackBoxNamesMustBeDistinctAndDotFree() {
    BlackBoxStage stage = new BlackBoxStage();
    List<String> problems = stage.validate(params(stage,
        Map.of("target_names", List.of("AT", "AT"), "source_names", List.of("a.b"))));
    assertEquals(2, problems.size(), problems.toString());
  }
}
