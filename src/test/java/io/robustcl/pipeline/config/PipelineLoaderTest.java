package io.robustcl.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Params;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineLoaderTest {

  @TempDir Path dir;

  private final PipelineLoader loader = new PipelineLoader(FakeStages.registry());
  private PipelineFiles files;

  @BeforeEach
  void writeInto() {
    files = new PipelineFiles(dir);
  }

  private static final String DATA = "stages:\n  data:\n    type: dataset\n";

  @Test
  void loadsStagesInFileOrderWithDefaultsTypedValuesAndInputs() throws IOException {
    PipelineSpec spec = files.load(DATA
        + "  train:\n    type: pretrain\n    inputs: {data: data}\n"
        + "    params: {epochs: 3, eps: 8/255, lambda: 2, lrs: [1, 1/2], layout: {b: [1, x], a: 0.5}}\n"
        + "    resources: {gpu: 1}\n"
        + "  tab:\n    type: table\n    inputs: {sources: [train]}\n"
        + "targets:\n  all: [tab, data]\n");
    assertEquals(List.of("data", "train", "tab"), List.copyOf(spec.stages().keySet()));
    StageSpec train = spec.stage("train");
    Params p = train.params();
    assertEquals(3L, p.get("epochs"));
    assertEquals(8.0 / 255.0, p.get("eps"));
    assertEquals(2.0, p.get("lambda"));
    assertEquals(List.of(1.0, 0.5), p.get("lrs"));
    assertEquals(List.of(1L), p.get("widths"));
    assertEquals(true, p.get("adv"));
    assertEquals(ImmutableMap.of("a", 0.5, "b", List.of(1L, "x")), p.get("layout"));
    assertEquals(ImmutableMap.of("data", List.of("data")), train.inputs());
    assertEquals(1, train.gpus());
    assertEquals(0, spec.stage("data").gpus());
    assertEquals(new Location(dir.resolve("pipeline.yaml"), 4, 3), train.location());
    assertEquals(dir.resolve("pipeline.yaml") + ":4:3", train.location().toString());
    assertEquals(List.of("tab", "data"), spec.target("all"));
    assertEquals(List.of("train"), spec.target("train"));
    assertEquals(List.of("tab", "data", "train"), spec.targetStages(List.of("all", "train", "data")));
    ConfigException unknown = assertThrows(ConfigException.class, () -> spec.target("tabel"));
    assertTrue(unknown.getMessage().contains("did you mean 'tab'") && unknown.getMessage().contains("all"),
        unknown.getMessage());
  }

  @Test
  void fractionIsTheExactDoubleOfTheDivisionAlsoInLists() throws IOException {
    PipelineSpec spec = files.load(DATA
        + "  a:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: 1, eps: 8/255, lrs: [2/3, \"1 / 7\", 0.5/4]}\n"
        + "  b:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: 1, eps: 0.03137254901960784}\n");
    assertEquals(Double.parseDouble("0.03137254901960784"), spec.stage("a").params().getDouble("eps"));
    assertEquals(spec.stage("b").params().get("eps"), spec.stage("a").params().get("eps"));
    assertEquals(List.of(2.0 / 3, 1.0 / 7, 0.125), spec.stage("a").params().get("lrs"));
  }

  @Test
  void intParamsTakeIntegralNumbersOnly() throws IOException {
    assertEquals(5L, files.load(DATA + "  a:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: 5.0}\n")
        .stage("a").params().get("epochs"));
    String message = files.error(DATA + "  a:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: 2.5}\n");
    files.assertProblem(message, "pipeline.yaml", 7, 22, "stage 'a'", "param 'epochs'", "must be an int", "2.5");
    message = files.error(DATA + "  a:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: \"5\"}\n");
    files.assertProblem(message, "pipeline.yaml", 7, 22, "param 'epochs'", "must be an int", "the string '5'");
  }

  @Test
  void varsKeepTheirTypeWhenWholeAndArePastedAsTextWhenEmbedded() throws IOException {
    PipelineSpec spec = files.load("vars: {epochs: 4, eps: 8/255, name: cifar, rates: [0.1, 0.2]}\n"
        + "stages:\n  data:\n    type: dataset\n    params:\n      dir: \"/data/${name}-10\"\n      seed: ${epochs}1\n"
        + "  a:\n    type: pretrain\n    inputs: {data: data}\n"
        + "    params: {epochs: \"${epochs}\", eps: \"${eps}\", lrs: \"${rates}\"}\n");
    assertEquals("/data/cifar-10", spec.stage("data").params().get("dir"));
    assertEquals(41L, spec.stage("data").params().get("seed"));
    assertEquals(4L, spec.stage("a").params().get("epochs"));
    assertEquals(8.0 / 255, spec.stage("a").params().get("eps"));
    assertEquals(List.of(0.1, 0.2), spec.stage("a").params().get("lrs"));
    assertEquals(4L, spec.vars().get("epochs"));
    assertEquals("8/255", spec.vars().get("eps"));
  }

  @Test
  void unknownVarIsAnErrorNamingIt() throws IOException {
    String message = files.error("vars: {epochs: 4}\nstages:\n  data:\n    type: dataset\n"
        + "  a:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: \"${epoch}\"}\n");
    files.assertProblem(message, "pipeline.yaml", 8, 22, "stage 'a'", "param 'epochs'", "unknown var 'epoch'",
        "did you mean 'epochs'");
  }

  private static final String PROFILED = "vars: {epochs: 1, seed: 0}\n"
      + "profiles:\n  tiny: {epochs: 2}\n  big: {epochs: 20, seed: 7}\n"
      + "default_profile: tiny\n"
      + "stages:\n  data:\n    type: dataset\n    params: {seed: \"${seed}\"}\n"
      + "  a:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: \"${epochs}\"}\n";

  @Test
  void profilesOverlayVarsAndSetOverridesBoth() throws IOException {
    PipelineSpec byDefault = files.load(PROFILED);
    assertEquals("tiny", byDefault.profile());
    assertEquals(2L, byDefault.stage("a").params().get("epochs"));
    PipelineSpec big = files.load(PROFILED, LoadOptions.defaults().withProfile("big"));
    assertEquals("big", big.profile());
    assertEquals(20L, big.stage("a").params().get("epochs"));
    assertEquals(7L, big.stage("data").params().get("seed"));
    PipelineSpec set = files.load(PROFILED, new LoadOptions("big", ImmutableMap.of("epochs", "3")));
    assertEquals(3L, set.stage("a").params().get("epochs"));
    assertEquals(7L, set.stage("data").params().get("seed"));
    String message = files.error(PROFILED, new LoadOptions("tiny", ImmutableMap.of("epochs", "'3'")));
    files.assertProblem(message, "pipeline.yaml", 13, 22, "param 'epochs'", "must be an int", "the string '3'");
  }

  @Test
  void noDefaultProfileMeansNoOverlay() throws IOException {
    PipelineSpec spec = files.load(PROFILED.replace("default_profile: tiny\n", ""));
    assertNull(spec.profile());
    assertEquals(1L, spec.stage("a").params().get("epochs"));
  }

  @Test
  void unknownProfileAndUnknownSetVarListTheKnownOnes() throws IOException {
    String message = files.error(PROFILED, LoadOptions.defaults().withProfile("huge"));
    assertTrue(message.contains("--profile huge: unknown profile") && message.contains("known profiles: tiny, big"),
        message);
    message = files.error(PROFILED, LoadOptions.defaults().withVar("epoch", "3"));
    assertTrue(message.contains("--set epoch=3: unknown var 'epoch'") && message.contains("did you mean 'epochs'")
        && message.contains("known vars: epochs, seed"), message);
    message = files.error(PROFILED.replace("default_profile: tiny", "default_profile: tinny"));
    files.assertProblem(message, "pipeline.yaml", 5, 18, "default_profile 'tinny'", "did you mean 'tiny'");
    message = files.error(PROFILED.replace("big: {epochs: 20,", "big: {epoch: 20,"), LoadOptions.defaults().withProfile("big"));
    files.assertProblem(message, "pipeline.yaml", 4, 9, "profile 'big' sets var 'epoch'", "declare it");
  }

  @Test
  void presetsAndPresetChainsMergeParamByParamWithStageValuesWinning() throws IOException {
    files.write("stages/base.yaml", "type: pretrain\nparams: {epochs: 9, lambda: 3, eps: 1/255}\nresources: {gpu: 1}\n");
    files.write("stages/rocl.yaml", "extends: base\nparams: {lambda: 256, lrs: [1/4]}\n");
    PipelineSpec spec = files.load(DATA
        + "  a:\n    extends: rocl\n    inputs: {data: data}\n    params: {eps: 8/255}\n");
    Params p = spec.stage("a").params();
    assertEquals("pretrain", spec.stage("a").type());
    assertEquals(9L, p.get("epochs"));
    assertEquals(256.0, p.get("lambda"));
    assertEquals(8.0 / 255, p.get("eps"));
    assertEquals(List.of(0.25), p.get("lrs"));
    assertEquals(1, spec.stage("a").gpus());
  }

  @Test
  void presetErrorsPointIntoThePresetFile() throws IOException {
    files.write("stages/base.yaml", "type: pretrain\nparams: {epochs: many}\n");
    files.write("stages/rocl.yaml", "extends: base\n");
    String message = files.error(DATA + "  a:\n    extends: rocl\n    inputs: {data: data}\n");
    files.assertProblem(message, "stages/base.yaml", 2, 18, "stage 'a'", "param 'epochs'", "must be an int");
  }

  @Test
  void missingPresetAndPresetCycleAreErrorsWithLocation() throws IOException {
    files.write("stages/rocl.yaml", "type: pretrain\n");
    String message = files.error(DATA + "  a:\n    extends: rcl\n    inputs: {data: data}\n    params: {epochs: 1}\n");
    files.assertProblem(message, "pipeline.yaml", 5, 14, "preset 'rcl' not found", "did you mean 'rocl'", "known presets: rocl");
    files.write("stages/x.yaml", "extends: y\n");
    files.write("stages/y.yaml", "extends: x\n");
    message = files.error(DATA + "  a:\n    extends: x\n    inputs: {data: data}\n");
    files.assertProblem(message, "stages/y.yaml", 1, 10, "preset cycle: x -> y -> x");
  }

  @Test
  void everyStageErrorKindNamesFileLineColumnAndAllAreReportedTogether() throws IOException {
    String message = files.error("stages:\n"
        + "  data:\n    type: datset\n"                                                     // 3: unknown type
        + "  ../x:\n    type: dataset\n"                                                    // 4: bad name
        + "  d2:\n    type: dataset\n    params: {sed: 1, source: cifar100}\n"               // 8: unknown param, choice
        + "  d3:\n    type: dataset\n    params: {seed: -1}\n"                               // 11: below min
        + "  d4:\n    type: dataset\n    params: {seed: 13}\n"                               // 14: validate()
        + "  a:\n    type: pretrain\n    inputs: {dat: d2}\n    params: {eps: 2, adv: maybe}\n"  // 15-18
        + "  b:\n    type: pretrain\n    inputs: {data: [d2]}\n    params: {epochs: 1}\n"    // 21: list to single
        + "  c:\n    type: pretrain\n    inputs: {data: nope}\n    params: {epochs: 1}\n"    // 25: unknown stage
        + "  e:\n    type: pretrain\n    inputs: {data: b}\n    params: {epochs: 1}\n"       // 29: wrong kind
        + "  t:\n    type: table\n    inputs: {sources: b}\n"
        + "    resources: {gpus: 1}\n"                                                      // 34: unknown resource
        + "targets:\n  t2: [t, tt]\n");                                                     // 36: unknown target stage
    files.assertProblem(message, "pipeline.yaml", 3, 11, "stage 'data'", "unknown stage type 'datset'", "did you mean 'dataset'");
    files.assertProblem(message, "pipeline.yaml", 4, 3, "bad stage name '../x'", "must not contain '..'");
    files.assertProblem(message, "pipeline.yaml", 8, 14, "stage 'd2'", "unknown param 'sed'", "did you mean 'seed'");
    files.assertProblem(message, "pipeline.yaml", 8, 30, "stage 'd2'", "param 'source'", "not one of [synthetic, cifar10]");
    files.assertProblem(message, "pipeline.yaml", 11, 20, "stage 'd3'", "param 'seed'", "below its minimum 0.0");
    files.assertProblem(message, "pipeline.yaml", 14, 14, "stage 'd4'", "must not be 13");
    files.assertProblem(message, "pipeline.yaml", 17, 14, "stage 'a'", "unknown input port 'dat'", "did you mean 'data'");
    files.assertProblem(message, "pipeline.yaml", 18, 19, "stage 'a'", "param 'eps'", "above its maximum 1.0");
    files.assertProblem(message, "pipeline.yaml", 18, 27, "stage 'a'", "param 'adv'", "must be a bool", "'maybe'");
    files.assertProblem(message, "pipeline.yaml", 15, 3, "stage 'a'", "missing required param 'epochs'", "int");
    files.assertProblem(message, "pipeline.yaml", 15, 3, "stage 'a'", "required input 'data' is not wired");
    files.assertProblem(message, "pipeline.yaml", 21, 20, "stage 'b'", "input 'data' takes one stage, not a list");
    files.assertProblem(message, "pipeline.yaml", 25, 20, "stage 'c'", "unknown stage 'nope'");
    files.assertProblem(message, "pipeline.yaml", 29, 20, "stage 'e'", "accepts [dataset]", "stage 'b' (type pretrain) produces 'model'");
    files.assertProblem(message, "pipeline.yaml", 34, 17, "stage 't'", "unknown resource 'gpus'", "did you mean 'gpu'");
    files.assertProblem(message, "pipeline.yaml", 36, 11, "target 't2'", "unknown stage 'tt'", "did you mean 't'");
    assertEquals(16, message.split("\n").length, message);
  }

  @Test
  void cycleIsPrintedWithLocations() throws IOException {
    String file = dir.resolve("pipeline.yaml").toString();
    String message = files.error("stages:\n"
        + "  a:\n    type: merge\n    inputs: {in: [c]}\n"
        + "  b:\n    type: merge\n    inputs: {in: [a]}\n"
        + "  c:\n    type: merge\n    inputs: {in: [b]}\n");
    files.assertProblem(message, "pipeline.yaml", 2, 3, "dependency cycle: a (" + file + ":2:3) -> b (" + file
        + ":5:3) -> c (" + file + ":8:3) -> a (" + file + ":2:3)");
    String selfLoop = files.error("stages:\n  a:\n    type: merge\n    inputs: {in: [a]}\n");
    files.assertProblem(selfLoop, "pipeline.yaml", 2, 3, "dependency cycle: a (" + file + ":2:3) -> a (" + file + ":2:3)");
  }

  @Test
  void tagsForJavaTypesAndCustomTagsAreRejected() throws IOException {
    String message = files.error("stages:\n  data:\n    type: dataset\n"
        + "    params: {dir: !!java.lang.ProcessBuilder [\"touch\", \"/tmp/pwned\"]}\n");
    files.assertProblem(message, "pipeline.yaml", 4, 19, "tag '!!java.lang.ProcessBuilder' is not allowed");
    message = files.error("stages: !foo\n  data: {type: dataset}\n");
    files.assertProblem(message, "pipeline.yaml", 1, 9, "tag '!foo' is not allowed");
    message = files.error("x: !<tag:yaml.org,2002:java.net.URL> http://example.com\nstages: {}\n");
    files.assertProblem(message, "pipeline.yaml", 1, 4, "tag '!!java.net.URL' is not allowed");
    assertTrue(Files.notExists(Path.of("/tmp/pwned-robustcl-test")));
  }

  /** {@code levels} anchored lists, each holding {@code width} aliases of the previous one. */
  private static String aliasBomb(int levels, int width) {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x]\n");
    for (int i = 1; i < levels; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < width; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    return yaml.append("stages: {}\n").toString();
  }

  @Test
  void aliasBombIsRejectedFast() throws IOException {
    // Billion laughs: 9^9 values if expanded; stopped by the alias bound.
    String message = files.error(aliasBomb(10, 9));
    files.assertProblem(message, "pipeline.yaml", 1, 1, "rejected YAML", "alias");
    // Within the alias bound (42 aliases) but 7^6 values: stopped by the value bound.
    message = files.error(aliasBomb(7, 7));
    assertTrue(message.contains("more than 100000 values"), message);
  }

  @Test
  void yamlSyntaxErrorsDuplicateKeysAndUnknownKeysHaveLocations() throws IOException {
    String message = files.error("stages:\n  data:\n    type: dataset\n   params: {a: 1\n");
    assertTrue(message.startsWith(dir.resolve("pipeline.yaml") + ":") && message.contains("invalid YAML"), message);
    message = files.error("stages:\n  data:\n    type: dataset\n  data:\n    type: dataset\n");
    files.assertProblem(message, "pipeline.yaml", 4, 3, "duplicate key 'data'", "first at line 2");
    message = files.error("stage:\n  data:\n    type: dataset\n");
    files.assertProblem(message, "pipeline.yaml", 1, 1, "unknown key 'stage'", "did you mean 'stages'");
    message = files.error("stages:\n  data:\n    typ: dataset\n");
    files.assertProblem(message, "pipeline.yaml", 3, 5, "unknown key 'typ'", "did you mean 'type'");
  }

  @Test
  void stageNameRulesRejectTraversal() throws IOException {
    for (String bad : List.of("../x", "a/b", "a..b", "Upper", "-x", ".x")) {
      String message = files.error("stages:\n  \"" + bad + "\":\n    type: dataset\n");
      files.assertProblem(message, "pipeline.yaml", 2, 3, "bad stage name '" + bad + "'");
    }
    assertEquals(ImmutableList.of("a.b-c_1"), ImmutableList.copyOf(
        files.load("stages:\n  a.b-c_1:\n    type: dataset\n").stages().keySet()));
  }

  @Test
  void oversizedFileIsRejected() throws IOException {
    String message = files.error("# " + "x".repeat((int) SafeYamlReader.MAX_FILE_BYTES) + "\nstages: {}\n");
    files.assertProblem(message, "pipeline.yaml", 1, 1, "more than the 4194304");
  }

  @Test
  void missingFileIsAClearError() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> loader.load(dir.resolve("nope.yaml"), LoadOptions.defaults()));
    assertTrue(e.getMessage().contains("nope.yaml not found"), e.getMessage());
  }
}
