package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.config.ConfigException;
import io.robustcl.pipeline.config.LoadOptions;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The repository's pipelines.yaml and presets load against the real stage types. */
class PipelinesFileTest {

  static final Path PIPELINES = Path.of("pipelines.yaml");

  static Map<String, Stage> stageTypes() {
    return Guice.createInjector(new StagesModule()).getInstance(Key.get(new TypeLiteral<Map<String, Stage>>() {}));
  }

  @Test
  void moduleBindsEveryStageType() {
    assertEquals(
        java.util.Set.of("dataset", "pretrain", "linear-eval", "robust-linear-eval", "fine-tune", "transfer", "attack", "evaluate", "import-model",
            "black-box", "table"),
        stageTypes().keySet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "micro", "paper"})
  void everyProfileLoads(String profile) {
    LoadOptions options = LoadOptions.defaults().withProfile(profile);
    if (profile.equals("paper")) {
      org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("../shared/data/cifar-10-batches-bin")),
          "CIFAR-10 subset absent");
      // the shared data holds CIFAR-10 only: the transfer tables' CIFAR-100 and STL-10 stand in as synthetic
      options = options.withVar("data_dir", "../shared/data").withVar("cifar100_source", "synthetic")
          .withVar("dataset_stl10", "synthetic").withVar("stl10_unlabeled_split", "train")
          .withVar("train_count", "100").withVar("test_count", "100");
    }
    PipelineSpec spec = new PipelineLoader(stageTypes()).load(PIPELINES, options);
    for (String target : List.of("table2", "rocl-table1", "rocl-table1-full")) {
      assertTrue(spec.target(target).size() == 1, target);
    }
    StageSpec rocl = spec.stage("pretrain-rocl");
    assertEquals("rocl", rocl.params().getString("method"));
    assertEquals(256.0, rocl.params().getDouble("lambda"));
    assertEquals(1, rocl.gpus());
    if (profile.equals("paper")) {
      assertEquals(1000L, rocl.params().getLong("epochs"));
      assertEquals(0.1, rocl.params().getDouble("lr"));
      assertEquals(15.0, rocl.params().getDouble("warmup_multiplier"));
      assertEquals(8 / 255.0, spec.stage("pretrain-at").params().getDouble("eps"), 1e-15);
      assertEquals(50L, spec.stage("pretrain-rocl-r50").params().getLong("depth"));
    }
  }

  @Test
  void defaultProfileIsTinyOnSyntheticData() {
    PipelineSpec spec = new PipelineLoader(stageTypes()).load(PIPELINES, LoadOptions.defaults());
    assertEquals("tiny", spec.profile());
    assertEquals("synthetic", spec.stage("data").params().getString("source"));
  }

  @Test
  void cifarProfileWithoutDataDirFailsNamingThePath() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new PipelineLoader(stageTypes()).load(PIPELINES, LoadOptions.defaults().withProfile("cifar-cpu")));
    assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
  }

  @Test
  void cifarProfileLoadsWithTheSharedSubset() {
    Path data = Path.of("../shared/data");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(data.resolve("cifar-10-batches-bin")),
        "CIFAR-10 subset absent");
    PipelineSpec spec = new PipelineLoader(stageTypes())
        .load(PIPELINES, LoadOptions.defaults().withProfile("cifar-cpu").withVar("data_dir", data.toString()));
    assertEquals("cifar10", spec.stage("data").params().getString("source"));
  }

  @Test
  void attackWiredToADatasetIsAConfigError(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("p.yaml"), """
        stages:
          data: {type: dataset, params: {source: synthetic, train_count: 8, test_count: 8}}
          bad: {type: attack, inputs: {model: data, data: data}, params: {eps: -0.1}}
        """);
    ConfigException e = assertThrows(ConfigException.class,
        () -> new PipelineLoader(stageTypes()).load(dir.resolve("p.yaml"), LoadOptions.defaults()));
    assertTrue(e.getMessage().contains("model") && e.getMessage().contains("dataset"), e.getMessage());
    assertTrue(e.getMessage().contains("eps"), e.getMessage());
  }

  @Test
  void aClaimNamingAnUnknownCellFailsAtTheConditionsLine(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("p.yaml"), """
        stages:
          data: {type: dataset, params: {source: synthetic, train_count: 8, test_count: 8}}
          tab:
            type: table
            inputs: {cells: [data]}
            params:
              title: t
              layout:
                columns: [{label: "8/255", id: linf_8}]
                rows: [{label: RoCL, cells: [{stage: data, metric: m}]}]
              claims:
                - statement: "RoCL is far more robust than SimCLR"
                  condition: "rocl.linf_8 > simclr.linf_8 + 10"
        """);
    ConfigException e = assertThrows(ConfigException.class,
        () -> new PipelineLoader(stageTypes()).load(dir.resolve("p.yaml"), LoadOptions.defaults()));
    assertTrue(e.getMessage().contains("p.yaml:13:"), e.getMessage());
    assertTrue(e.getMessage().contains("stage 'tab' (type table): claims[0].condition (at character 15"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown row 'simclr'; the table's row ids are rocl"), e.getMessage());
  }

  @Test
  void everyDeclaredClaimHoldsOnThePapersOwnNumbers() {
    PipelineSpec spec = new PipelineLoader(stageTypes()).load(PIPELINES, LoadOptions.defaults());
    int checked = 0;
    for (StageSpec stage : spec.stages().values()) {
      if (!stage.type().equals("table")) {
        continue;
      }
      var layout = io.robustcl.report.TableLayout.parse("layout", stage.params().getMap("layout"));
      var claims = io.robustcl.report.Claim.parseAll("claims", (List<?>) stage.params().get("claims"), layout);
      var paper = io.robustcl.report.ResolvedTable.ofPaper("t", "n", layout, claims, 2);
      for (var claim : paper.claims()) {
        assertTrue(claim.holds(), stage.name() + ": " + claim.line());
        checked++;
      }
    }
    assertTrue(checked >= 14, "RoCL tables 1 and 2 declare their claims: " + checked);
  }
}
