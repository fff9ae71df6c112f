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

  /**
   * The figure targets reach the sweeps their papers plot: RoCL Fig. 3(d) the smoothed classifier over n on
   * AT's black-box sets, UPAT Fig. 3(b) UPAT-AT over PGD steps and eps, ASCL Fig. 6 four models over steps
   * 0-100 and eps up to 32/255.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tiny", "micro"})
  void theFigureTargetsResolveToTheirSweeps(String profile) {
    PipelineSpec spec = new PipelineLoader(stageTypes()).load(PIPELINES, LoadOptions.defaults().withProfile(profile));
    List<Long> steps = List.of(0L, 10L, 20L, 40L, 60L, 80L, 100L);

    assertEquals(List.of("eval-rocl-smooth"), spec.target("rocl-fig3d"));
    StageSpec smooth = spec.stage("eval-rocl-smooth");
    assertEquals(List.of("attack-at-8", "attack-at-16"), smooth.inputs().get("adversarial"));
    assertEquals(profile.equals("micro") ? List.of(1L, 2L) : List.of(1L, 2L, 4L, 8L),
        smooth.params().getLongList("draws_curve"));

    List<String> upat = spec.target("upat-fig3");
    assertEquals(steps.size() + 1, upat.size(), upat.toString());
    for (int i = 0; i < steps.size(); i++) {
      StageSpec stage = spec.stage(upat.get(i));
      assertEquals("upat-fig3-steps-" + steps.get(i), stage.name());
      assertEquals(steps.get(i), stage.params().getLong("steps"));
      assertEquals(List.of("linf:8/255"), stage.params().getStringList("threats"));
      assertEquals(List.of("upat-at"), stage.inputs().get("model"));
    }
    StageSpec upatEps = spec.stage("upat-fig3-eps");
    assertEquals(List.of("upat-at"), upatEps.inputs().get("model"));
    assertEquals(List.of(2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L), radiiIn255ths(upatEps));

    List<String> ascl = spec.target("ascl-fig6");
    List<String> models = List.of("pretrain-at", "pretrain-trades", "aff-acl", "laf-ascl");
    assertEquals(models.size() * (steps.size() + 1), ascl.size(), ascl.toString());
    for (String model : models) {
      for (long n : steps) {
        StageSpec stage = spec.stage("ascl-fig6-steps-" + model + "-" + n);
        assertTrue(ascl.contains(stage.name()), stage.name());
        assertEquals(n, stage.params().getLong("steps"));
        assertEquals(List.of("linf:8/255"), stage.params().getStringList("threats"));
        assertEquals(List.of(model), stage.inputs().get("model"));
      }
      StageSpec eps = spec.stage("ascl-fig6-eps-" + model);
      assertTrue(ascl.contains(eps.name()), eps.name());
      assertEquals(List.of(4L, 8L, 12L, 16L, 20L, 24L, 28L, 32L), radiiIn255ths(eps));
      assertEquals(List.of(model), eps.inputs().get("model"));
    }
    assertEquals(1 + upat.size() + ascl.size(), spec.target("figures").size());
  }

  /** The l_inf radii of an evaluate stage's threats, in 1/255. */
  private static List<Long> radiiIn255ths(StageSpec stage) {
    return stage.params().getStringList("threats").stream().map(threat -> {
      assertTrue(threat.startsWith("linf:") && threat.endsWith("/255"), threat);
      return Long.parseLong(threat.substring("linf:".length(), threat.length() - "/255".length()));
    }).toList();
  }

  /**
   * A table takes only stages its cells show: an input no cell reads is still built, with its whole
   * upstream (UPAT table 1 once built tables 4-5's three UPAT-Linear variants, RoCL table 7 table
   * 5's target-orig pre-training).
   */
  @ParameterizedTest
  @ValueSource(strings = {"tiny", "micro"})
  void everyTableShowsEveryStageItTakes(String profile) {
    PipelineSpec spec = new PipelineLoader(stageTypes()).load(PIPELINES, LoadOptions.defaults().withProfile(profile));
    int tables = 0;
    for (StageSpec stage : spec.stages().values()) {
      if (stage.type().equals("table")) {
        var shown = io.robustcl.report.TableLayout.parse("layout", stage.params().getMap("layout")).referencedStages();
        assertEquals(java.util.Set.copyOf(shown), java.util.Set.copyOf(stage.inputs().get("cells")), stage.name());
        tables++;
      }
    }
    assertEquals(22, tables); // the 21 tables and rocl-table1-full
  }

  /**
   * A file's defaults reach only its own stages and the files it includes, so a stage extending a
   * preset whose profile-scaled defaults sit in a sibling file trains at the preset's paper length
   * under every profile (ASCL table 3's one-shot AT rows once ran 100 epochs on micro and cifar-cpu).
   * The micro profile trains one epoch everywhere, so any longer stage has missed its defaults.
   */
  @Test
  void theMicroProfileTrainsEveryStageOneEpoch() {
    PipelineSpec spec = new PipelineLoader(stageTypes()).load(PIPELINES, LoadOptions.defaults().withProfile("micro"));
    List<String> longer = spec.stages().values().stream()
        .filter(stage -> stage.params().has("epochs") && stage.params().getLong("epochs") > 1)
        .map(stage -> stage.name() + " (" + stage.params().getLong("epochs") + " epochs)")
        .toList();
    assertEquals(List.of(), longer);
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
