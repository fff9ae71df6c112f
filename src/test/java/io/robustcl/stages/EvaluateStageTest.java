package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.NetworkSpec;
import io.robustcl.ml.model.ResNetSpec;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Progress;
import io.robustcl.report.CheckMetrics;
import io.robustcl.report.ImageOutcomes;
import io.robustcl.testing.CpuScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate stage end to end on a tiny untrained network: every attack, metric names, checks, progress. */
class EvaluateStageTest {

  @TempDir Path temp;
  @RegisterExtension final CpuScope cpu = new CpuScope();

  private static Artifact artifact(String stage, String type, Path dir, FakeStageContext ctx) {
    return new Artifact(stage, type, type, stage, stage, dir, ctx.params, ImmutableMap.copyOf(ctx.metrics));
  }

  @Test
  void everyAttackGivesAMetricAndTheChecksAreRecorded() throws Exception {
    DatasetStage data = new DatasetStage();
    FakeStageContext dataCtx = new FakeStageContext(StageValidationTest.params(data,
        Map.of("source", "synthetic", "train_count", 8L, "test_count", 12L, "image_size", 8L)), Map.of(),
        temp.resolve("data"));
    data.run(dataCtx);
    Path modelDir = Files.createDirectories(temp.resolve("model"));
    Network network = Network.create(new NetworkSpec(ResNetSpec.resnet18(2).withBlocks(List.of(1)), List.of(), 10),
        cpu.manager(), new SplittableRandom(3));
    network.save(modelDir.resolve(StageFiles.NETWORK));
    EvaluateStage stage = new EvaluateStage();
    Map<String, Object> params = new HashMap<>();
    params.put("threats", List.of("linf:8/255", "linf:16/255", "l2:0.5"));
    params.put("attacks", List.of("pgd", "apgd-ce", "apgd-t", "fab-t", "square", "autoattack", "autoattack-rand"));
    params.put("steps", 2L);
    params.put("apgd_iterations", 3L);
    params.put("fab_iterations", 2L);
    params.put("targets", 2L);
    params.put("square_queries", 5L);
    params.put("eot_draws", 2L);
    params.put("batch_size", 5L);
    assertEquals(List.of(), stage.validate(StageValidationTest.params(stage, params)));
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage, params),
        Map.of("model", List.of(artifact("model", "pretrain", modelDir, dataCtx)),
            "data", List.of(artifact("data", "dataset", dataCtx.outputDir, dataCtx))), temp.resolve("eval"));
    stage.run(ctx);
    double clean = ctx.metrics.get("clean");
    for (String metric : List.of("linf:8/255", "apgd-ce/linf:8/255", "apgd-t/l2:0.5", "fab-t/linf:16/255",
        "square/l2:0.5", "autoattack/linf:8/255", "autoattack/linf:8/255/apgd-ce", "autoattack/linf:8/255/square",
        "autoattack-rand/l2:0.5/apgd-dlr")) {
      assertTrue(ctx.metrics.containsKey(metric), metric + " in " + ctx.metrics.keySet());
      assertTrue(ctx.metrics.get(metric) <= clean + 1e-9, metric);
    }
    // the ensemble never does worse than its first attack
    assertTrue(ctx.metrics.get("autoattack/linf:8/255") <= ctx.metrics.get("autoattack/linf:8/255/apgd-ce"));
    for (String check : List.of("gradient-nonzero", "deterministic", "returns-logits", "chance-at-large-eps",
        "doubled-iterations", "monotone-in-eps", "square-vs-white-box/linf:8/255")) {
      assertTrue(ctx.metrics.containsKey("check/" + check + "/pass"), check + " in " + ctx.metrics.keySet());
    }
    assertEquals(1.0, ctx.metrics.get("check/deterministic/pass"));
    assertEquals(1.0, ctx.metrics.get("check/returns-logits/pass"));
    String checksJson = Files.readString(ctx.outputDir.resolve(EvaluateRun.CHECKS));
    assertTrue(checksJson.contains("\"status\""));
    // the report reads the same names: the checks it marks a cell for are those checks.json says warn
    List<String> warned = CheckMetrics.warned(ctx.metrics);
    assertEquals(ctx.metrics.get(CheckMetrics.WARNED), (double) warned.size(), warned.toString());
    assertEquals(checksJson.split("\"warn\"", -1).length - 1, warned.size(), checksJson);
    for (String check : warned) {
      assertTrue(checksJson.contains("\"name\": \"" + check + "\""), check);
    }
    // each model check says what it runs before it starts, all before the first chunk, and with no
    // totals (their costs differ too much for a fraction to mean anything)
    List<String> phases = ctx.progress.stream().map(Progress::phase).toList();
    List<Progress> checkPhases = ctx.progress.stream().filter(p -> p.phase().startsWith("sanity check ")).toList();
    assertEquals(List.of("gradient-nonzero", "deterministic", "returns-logits", "chance-at-large-eps",
            "doubled-iterations", "doubled-iterations"),
        checkPhases.stream().map(p -> p.phase().substring("sanity check ".length()).split(" ")[0]).toList(), phases.toString());
    assertTrue(checkPhases.get(4).phase().contains("2 steps at linf:8/255")
        && checkPhases.get(5).phase().contains("4 steps at linf:8/255"), phases.toString());
    assertTrue(checkPhases.stream().allMatch(p -> p.steps() == 0 && Double.isNaN(p.fraction())));
    int firstChunk = phases.indexOf(phases.stream().filter(p -> p.contains(" chunk ")).findFirst().orElseThrow());
    assertTrue(phases.lastIndexOf(checkPhases.get(5).phase()) < firstChunk, phases.toString());
    Progress last = ctx.progress.get(ctx.progress.size() - 1);
    assertTrue(last.phase().contains("autoattack-rand/l2:0.5") && last.phase().contains("robust"), last.phase());
    assertEquals(3, last.steps(), "12 images in chunks of 5");
    assertTrue(Files.list(ctx.workDir.resolve(EvaluateRun.STATE)).count() > 0, "chunk state in the work directory");
    // the per-image outcomes agree with the accuracies, and an attack only breaks images that were right
    ImageOutcomes outcomes = ImageOutcomes.read(artifact("eval", "evaluate", ctx.outputDir, ctx)).orElseThrow();
    assertEquals(ImageOutcomes.testImages("data", 12), outcomes.images());
    for (String metric : List.of("clean", "linf:8/255", "apgd-t/l2:0.5", "autoattack/linf:8/255", "square/l2:0.5")) {
      java.util.BitSet right = outcomes.correct().get(metric);
      assertEquals(ctx.metrics.get(metric), 100.0 * right.cardinality() / 12, 1e-9, metric);
      java.util.BitSet beyondClean = (java.util.BitSet) right.clone();
      beyondClean.andNot(outcomes.correct().get("clean"));
      assertTrue(beyondClean.isEmpty(), metric);
    }
  }
}
