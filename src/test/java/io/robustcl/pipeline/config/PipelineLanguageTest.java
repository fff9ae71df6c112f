package io.robustcl.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** matrix:, defaults:, include: and targets of targets (issue 7). */
class PipelineLanguageTest {

  @TempDir Path dir;

  private PipelineFiles files;

  @BeforeEach
  void writeInto() {
    files = new PipelineFiles(dir);
  }

  private static final String DATA = "stages:\n  data:\n    type: dataset\n";

  // ---- matrix ------------------------------------------------------------------------

  @Test
  void matrixIsTheProductInDvcNamesWithTypedItemValues() throws IOException {
    PipelineSpec spec = files.load(DATA
        + "  train:\n    type: pretrain\n"
        + "    matrix:\n      eps: [8/255, 16/255]\n      lrs: [[0.1], [0.2, 0.3]]\n"
        + "    inputs: {data: data}\n"
        + "    params: {epochs: 1, eps: \"${item.eps}\", lrs: \"${item.lrs}\"}\n");
    assertEquals(List.of("data", "train@8-255-0", "train@8-255-1", "train@16-255-0", "train@16-255-1"),
        List.copyOf(spec.stages().keySet()), "the first axis varies slowest");
    assertEquals(16.0 / 255, spec.stage("train@16-255-0").params().getDouble("eps"));
    assertEquals(List.of(0.2, 0.3), spec.stage("train@8-255-1").params().get("lrs"));
    assertEquals(List.of("train@8-255-0", "train@8-255-1", "train@16-255-0", "train@16-255-1"), spec.target("train"));
    assertEquals(spec.target("train"), spec.groups().get("train"));
    assertEquals(new Location(dir.resolve("pipeline.yaml"), 4, 3), spec.stage("train@8-255-0").location());
  }

  @Test
  void namePatternsNestedMapItemsAndTheGroupAsAListInput() throws IOException {
    String message = files.error(DATA + "  tab:\n    type: table\n    params: {title: \"${item.x}\"}\n");
    files.assertProblem(message, "pipeline.yaml", 4, 3, "stage 'tab' uses ${item...} but has no `matrix:`");
    PipelineSpec spec = files.load(DATA
        + "  train:\n    type: pretrain\n"
        + "    matrix:\n      model:\n        - {id: small, depth: 1, layout: {w: 2}}\n        - {id: big, depth: 3, layout: {w: 8}}\n"
        + "    name: train-${item.model.id}\n"
        + "    inputs: {data: data}\n"
        + "    params: {epochs: \"${item.model.depth}\", widths: [\"${item.model.layout.w}\"], layout: \"${item.model.layout}\"}\n"
        + "  extra:\n    type: pretrain\n    inputs: {data: data}\n    params: {epochs: 1}\n"
        + "  tab:\n    type: table\n    inputs: {sources: [train, extra]}\n"
        + "targets:\n  models: [train]\n");
    assertEquals(3L, spec.stage("train-big").params().get("epochs"));
    assertEquals(List.of(8L), spec.stage("train-big").params().get("widths"));
    assertEquals(ImmutableMap.of("w", 2L), spec.stage("train-small").params().get("layout"));
    assertEquals(List.of("train-small", "train-big", "extra"), spec.stage("tab").inputs().get("sources"));
    assertEquals(List.of("train-small", "train-big"), spec.target("models"));
  }

  @Test
  void zipTakesListsSideBySideAndExcludeDropsMatchingCombinations() throws IOException {
    PipelineSpec spec = files.load(DATA
        + "  train:\n    type: pretrain\n"
        + "    matrix:\n      seed: [1, 2]\n      zip: {e: [1, 2, 3], eps: [0.1, 0.2, 0.3]}\n"
        + "      exclude: [{seed: 2, e: 3}, {e: 1, seed: 1}]\n"
        + "    name: t-${item.seed}-${item.e}\n"
        + "    inputs: {data: data}\n    params: {epochs: \"${item.e}\", eps: \"${item.eps}\"}\n");
    assertEquals(List.of("t-1-2", "t-1-3", "t-2-1", "t-2-2"), spec.groups().get("train"));
    assertEquals(0.3, spec.stage("t-1-3").params().getDouble("eps"));
  }

  @Test
  void aMatrixOverAnEmptyListIsAnErrorAtTheList() throws IOException {
    String message = files.error(DATA + "  train:\n    type: pretrain\n    matrix: {eps: [], seed: [1]}\n");
    files.assertProblem(message, "pipeline.yaml", 6, 19, "matrix axis 'eps' is an empty list");
  }

  @Test
  void undefinedItemsAreErrorsNamingTheAxes() throws IOException {
    String message = files.error(DATA + "  train:\n    type: pretrain\n    matrix: {eps: [0.1], m: [{id: a}]}\n"
        + "    inputs: {data: data}\n    params: {epochs: \"${item.epoch}\", eps: \"${item.m.depth}\"}\n");
    files.assertProblem(message, "pipeline.yaml", 8, 22, "${item.epoch} is undefined", "no axis 'epoch'", "axes: eps, m");
    files.assertProblem(message, "pipeline.yaml", 8, 44, "${item.m.depth} is undefined", "'m' has no key 'depth'", "keys: id");
  }

  @Test
  void aGeneratedNameCollisionNamesBothCombinations() throws IOException {
    String message = files.error(DATA + "  train:\n    type: pretrain\n    matrix: {eps: [0.1, 0.2], seed: [1, 2]}\n"
        + "    name: t-${item.seed}\n    inputs: {data: data}\n    params: {epochs: 1}\n");
    files.assertProblem(message, "pipeline.yaml", 7, 11, "combinations (eps=0.1, seed=1) and (eps=0.2, seed=1)",
        "both generate the name 't-1'");
    message = files.error(DATA + "  train:\n    type: pretrain\n    matrix: {eps: [0.1]}\n"
        + "    name: T_${item.eps}\n    inputs: {data: data}\n    params: {epochs: 1}\n");
    files.assertProblem(message, "pipeline.yaml", 7, 11, "generated name 'T_0.1' is not valid");
    message = files.error(DATA + "  t-0.1:\n    type: dataset\n  train:\n    type: pretrain\n    matrix: {eps: [0.1]}\n"
        + "    name: t-${item.eps}\n    inputs: {data: data}\n    params: {epochs: 1}\n");
    files.assertProblem(message, "pipeline.yaml", 6, 3, "stage name 't-0.1' is already used by the stage at "
        + dir.resolve("pipeline.yaml") + ":4:3");
  }

  @Test
  void aMatrixPastTheCapIsAnErrorBeforeAnythingIsExpanded() throws IOException {
    String axis = "[" + String.join(", ", java.util.stream.IntStream.range(0, 400).mapToObj(Integer::toString).toList()) + "]";
    long start = System.nanoTime();
    String message = files.error(DATA + "  train:\n    type: pretrain\n    matrix: {a: " + axis + ", b: " + axis + "}\n");
    files.assertProblem(message, "pipeline.yaml", 6, 13, "expands to 160000 stages", "cap of 100000");
    assertTrue(System.nanoTime() - start < 5_000_000_000L);
  }

  @Test
  void aGroupFeedsOnlyListPorts() throws IOException {
    String message = files.error(DATA + "  d:\n    type: dataset\n    matrix: {seed: [1, 2]}\n    params: {seed: \"${item.seed}\"}\n"
        + "  a:\n    type: pretrain\n    inputs: {data: d}\n    params: {epochs: 1}\n");
    files.assertProblem(message, "pipeline.yaml", 10, 20, "input 'data' takes one stage, but 'd' is a matrix group of 2 stages",
        "e.g. d@1");
  }

  // ---- defaults ----------------------------------------------------------------------

  @Test
  void defaultsByTypeAndPresetWithStageValuesWinningAndProvenance() throws IOException {
    files.write("stages/base.yaml", "type: pretrain\nparams: {epochs: 9, lambda: 3}\n");
    files.write("stages/child.yaml", "extends: base\nparams: {lambda: 5}\n");
    PipelineSpec spec = files.load("defaults:\n"
        + "  pretrain: {inputs: {data: data}, params: {epochs: 2, eps: 0.5, lambda: 7}, resources: {gpu: 1}}\n"
        + "  preset/base: {params: {eps: 0.25}}\n"
        + "  preset/child: {params: {eps: 0.125}}\n"
        + DATA
        + "  plain:\n    type: pretrain\n"
        + "  based:\n    extends: base\n"
        + "  child:\n    extends: child\n    params: {lambda: 1}\n");
    assertEquals(2L, spec.stage("plain").params().get("epochs"));
    assertEquals(7.0, spec.stage("plain").params().get("lambda"));
    assertEquals(1, spec.stage("plain").gpus());
    assertEquals(List.of("data"), spec.stage("plain").inputs().get("data"));
    assertEquals(0.25, spec.stage("based").params().get("eps"), "preset defaults beat type defaults");
    assertEquals(7.0, spec.stage("based").params().get("lambda"), "defaults beat preset values");
    assertEquals(0.125, spec.stage("child").params().get("eps"), "the nearest preset's defaults win");
    assertEquals(1.0, spec.stage("child").params().get("lambda"), "the stage's own value wins");
    ImmutableMap<String, ParamSource> sources = spec.stage("child").paramSources();
    Path file = dir.resolve("pipeline.yaml");
    assertEquals(new ParamSource(ParamOrigin.STAGE, new Location(file, 14, 14)), sources.get("lambda"));
    assertEquals(new ParamSource(ParamOrigin.defaults("preset/child"), new Location(file, 4, 27)), sources.get("eps"));
    assertEquals(new ParamSource(ParamOrigin.defaults("pretrain"), new Location(file, 2, 45)), sources.get("epochs"));
    assertEquals(ParamSource.TYPE_DEFAULT, sources.get("adv"));
    assertEquals("preset base (" + dir.resolve("stages/base.yaml") + ":2:10)",
        files.load(DATA + "  b:\n    extends: base\n    inputs: {data: data}\n").stage("b").paramSources().get("epochs").toString());
  }

  @Test
  void badDefaultsAreErrorsAtTheirLines() throws IOException {
    String message = files.error("defaults:\n  pretrian: {params: {epochs: 1}}\n  pretrain: {param: {}}\n"
        + "  dataset: {params: {seed: \"${item.s}\"}}\n" + DATA);
    files.assertProblem(message, "pipeline.yaml", 2, 3, "unknown stage type 'pretrian'", "did you mean 'pretrain'");
    files.assertProblem(message, "pipeline.yaml", 3, 14, "unknown key 'param'", "did you mean 'params'");
    files.assertProblem(message, "pipeline.yaml", 4, 21, "defaults 'dataset' use ${item...}");
  }

  // ---- include -----------------------------------------------------------------------

  @Test
  void includedFilesAddStagesVarsProfilesAndTargetsAndScopeTheirDefaults() throws IOException {
    files.write("pipelines/a.yaml", "vars: {a_epochs: 3}\nprofiles: {tiny: {a_epochs: 1}}\n"
        + "defaults:\n  pretrain: {params: {epochs: \"${a_epochs}\"}}\n"
        + "include: [sub/b.yaml]\n"
        + "stages:\n  a:\n    type: pretrain\ntargets:\n  paper-a: [a]\n");
    files.write("pipelines/sub/b.yaml", "stages:\n  b:\n    type: pretrain\ntargets:\n  paper-b: []\n");
    PipelineSpec spec = files.load("vars: {seed: 4}\nprofiles: {tiny: {seed: 5}}\ndefault_profile: tiny\n"
        + "include: [pipelines/a.yaml]\n"
        + "defaults:\n  pretrain: {inputs: {data: data}, params: {epochs: 9}}\n"
        + DATA + "  top:\n    type: pretrain\n"
        + "targets:\n  all: [paper-a, paper-b, top]\n");
    assertEquals(List.of("data", "top", "a", "b"), List.copyOf(spec.stages().keySet()));
    assertEquals(9L, spec.stage("top").params().get("epochs"));
    assertEquals(1L, spec.stage("a").params().get("epochs"), "a's own defaults, with its profile value");
    assertEquals(1L, spec.stage("b").params().get("epochs"), "inherited from the including file");
    assertEquals(List.of("data"), spec.stage("b").inputs().get("data"), "inherited from the top-level file");
    assertEquals(List.of("a", "top"), spec.target("all"));
    assertEquals(List.of(), spec.target("paper-b"));
    assertEquals(new Location(Path.of(dir.resolve("pipeline.yaml").getParent() + "/pipelines/a.yaml"), 7, 3),
        spec.stage("a").location());
  }

  @Test
  void presetDefaultsInASiblingFileThatMissAStageAreAnError() throws IOException {
    files.write("stages/base.yaml", "type: pretrain\nparams: {epochs: 100}\n");
    files.write("stages/near.yaml", "extends: base\nparams: {epochs: 0}\n");
    files.write("pipelines/a.yaml", "defaults:\n  preset/base: {params: {epochs: 2}}\n"
        + "stages:\n  a:\n    extends: base\n    inputs: {data: data}\n");
    files.write("pipelines/b.yaml", "stages:\n"
        + "  b:\n    extends: base\n    inputs: {data: data}\n"
        + "  b-own:\n    extends: base\n    inputs: {data: data}\n    params: {epochs: 100}\n"
        + "  b-near:\n    extends: near\n    inputs: {data: data}\n");
    String message = files.error("include: [pipelines/a.yaml, pipelines/b.yaml]\n" + DATA);
    files.assertProblem(message, "pipelines/b.yaml", 2, 3, "stage 'b' extends preset base, whose defaults at "
        + dir.resolve("pipelines/a.yaml") + ":2:26 set epochs, but they do not reach it",
        "move those defaults to a file that includes b.yaml too, or set epochs in this stage");
    assertEquals(1, message.lines().filter(line -> line.contains("pipelines/b.yaml")).count(),
        "a stage's own value and a nearer preset's value are choices, not misses: " + message);

    files.write("pipelines/b.yaml", "stages:\n  b:\n    extends: base\n    inputs: {data: data}\n");
    files.write("pipelines/a.yaml", "stages:\n  a:\n    extends: base\n    inputs: {data: data}\n");
    PipelineSpec spec = files.load("include: [pipelines/a.yaml, pipelines/b.yaml]\n"
        + "defaults:\n  preset/base: {params: {epochs: 2}}\n" + DATA);
    assertEquals(2L, spec.stage("a").params().get("epochs"), "moved into the including file, they reach both");
    assertEquals(2L, spec.stage("b").params().get("epochs"));
  }

  @Test
  void aDuplicateStageAcrossFilesNamesBothPlaces() throws IOException {
    files.write("pipelines/a.yaml", "stages:\n  data:\n    type: dataset\n");
    String message = files.error("include: [pipelines/a.yaml]\n" + DATA);
    files.assertProblem(message, "pipelines/a.yaml", 2, 3, "stage name 'data' is already used by the stage at "
        + dir.resolve("pipeline.yaml") + ":3:3");
  }

  @Test
  void includeCyclesMissingFilesAndPathsOutsideTheTreeAreErrors() throws IOException {
    files.write("pipelines/a.yaml", "include: [b.yaml]\n");
    files.write("pipelines/b.yaml", "include: [a.yaml]\n");
    String message = files.error("include: [pipelines/a.yaml]\n" + DATA);
    files.assertProblem(message, "pipelines/b.yaml", 1, 11, "include cycle", "a.yaml -> ", "b.yaml -> ");
    message = files.error("include: [pipelines/nope.yaml]\n" + DATA);
    files.assertProblem(message, "pipeline.yaml", 1, 11, "pipelines/nope.yaml not found");
    message = files.error("include:\n  - ../../etc/passwd\n  - /etc/passwd\n" + DATA);
    files.assertProblem(message, "pipeline.yaml", 2, 5, "include '../../etc/passwd' points outside the pipeline's directory");
    files.assertProblem(message, "pipeline.yaml", 3, 5, "include '/etc/passwd' is absolute");
    Path outside = Files.createTempFile("robustcl-outside", ".yaml");
    try {
      Files.createSymbolicLink(dir.resolve("link.yaml"), outside);
      message = files.error("include: [link.yaml]\n" + DATA);
      files.assertProblem(message, "pipeline.yaml", 1, 11, "is a link to", "outside the pipeline's directory");
    } finally {
      Files.delete(outside);
    }
    files.write("pipelines/c.yaml", "stages: {}\n");
    message = files.error("include: [pipelines/c.yaml, pipelines/../pipelines/c.yaml]\n" + DATA);
    files.assertProblem(message, "pipeline.yaml", 1, 29, "included twice (first at " + dir.resolve("pipeline.yaml") + ":1:11)");
    files.write("pipelines/d.yaml", "default_profile: x\nstages: {}\n");
    message = files.error("include: [pipelines/d.yaml]\n" + DATA);
    files.assertProblem(message, "pipelines/d.yaml", 1, 1, "unknown key 'default_profile'", "belongs in the top-level file");
  }

  @Test
  void duplicateVarsProfileValuesAndTargetsAcrossFilesNameTheFirst() throws IOException {
    files.write("pipelines/a.yaml", "vars: {seed: 1}\nprofiles: {tiny: {x: 2}}\ntargets:\n  t: [data]\n");
    String message = files.error("vars: {seed: 0, x: 1}\nprofiles: {tiny: {x: 3}}\ninclude: [pipelines/a.yaml]\n" + DATA
        + "targets:\n  t: [data]\n");
    String top = dir.resolve("pipeline.yaml").toString();
    files.assertProblem(message, "pipelines/a.yaml", 1, 8, "var 'seed' is already declared at " + top + ":1:8");
    files.assertProblem(message, "pipelines/a.yaml", 2, 19, "profile 'tiny' already sets var 'x' at " + top + ":2:19");
    files.assertProblem(message, "pipelines/a.yaml", 4, 3, "target 't' is already declared at " + top + ":8:3");
  }

  @Test
  void targetsMayNameTargetsButNotInACycle() throws IOException {
    String message = files.error(DATA + "targets:\n  a: [b]\n  b: [a, data]\n");
    files.assertProblem(message, "pipeline.yaml", 6, 7, "target 'b' names target 'a', which includes it again (a -> b -> a)");
  }
}
