package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import com.google.common.collect.ImmutableMap;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.model.Network;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.testing.CpuScope;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ASCL with separated BN, then head training: the {@code bn} param picks the branch the downstream
 * model keeps (adversarial by default, ACL's protocol), and every training stage records its wall
 * time and the cumulative cost.
 */
class DualBnDownstreamTest {

  @TempDir Path temp;
  @RegisterExtension final CpuScope cpu = new CpuScope();

  private Artifact artifact(String stage, String type, FakeStageContext ctx) {
    return new Artifact(stage, type, type, stage, stage, ctx.outputDir, ctx.params, ImmutableMap.copyOf(ctx.metrics));
  }

  private Artifact dataset() throws Exception {
    DatasetStage stage = new DatasetStage();
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage,
        Map.of("source", "synthetic", "train_count", 16L, "test_count", 8L, "image_size", 8L)), Map.of(),
        temp.resolve("data"));
    stage.run(ctx);
    return artifact("data", "dataset", ctx);
  }

  private FakeStageContext linearEval(Artifact model, Artifact data, String bn, String out) throws Exception {
    LinearEvalStage stage = LinearEvalStage.clean();
    Map<String, Object> params = new HashMap<>(Map.of("epochs", 1L, "batch_size", 8L, "augment", "none"));
    if (bn != null) {
      params.put("bn", bn);
    }
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage, params),
        Map.of("model", List.of(model), "data", List.of(data)), temp.resolve(out), temp.resolve(out + "-work"));
    stage.run(ctx);
    return ctx;
  }

  @Test
  void headTrainingKeepsTheChosenBatchNormBranchAndRecordsTrainingCost() throws Exception {
    Artifact data = dataset();
    PretrainStage pretrain = new PretrainStage();
    FakeStageContext pre = new FakeStageContext(StageValidationTest.params(pretrain, Map.of(
        "method", "ascl", "dual_bn", true, "width", 2L, "blocks", List.of(1L), "projector", List.of(8L, 4L),
        "epochs", 1L, "batch_size", 8L, "steps", 1L, "eps", 8 / 255.0, "step", 4 / 255.0)),
        Map.of("data", List.of(data)), temp.resolve("pre"), temp.resolve("pre-work"));
    pretrain.run(pre);
    assertTrue(pre.metrics.get("train_seconds") > 0);
    Artifact model = artifact("pretrain", "pretrain", pre);

    FakeStageContext byDefault = linearEval(model, data, null, "le-default");
    FakeStageContext clean = linearEval(model, data, "clean", "le-clean");
    assertEquals("adversarial", byDefault.params.getString("bn"), "ACL's protocol is the default");
    assertTrue(byDefault.metrics.get("train_seconds_total") >= byDefault.metrics.get("train_seconds")
        + pre.metrics.get("train_seconds") - 1e-9, "cost includes the pre-training");

    Network dual = Network.load(pre.outputDir.resolve(StageFiles.NETWORK), cpu.manager());
    Network adversarialHead = Network.load(byDefault.outputDir.resolve(StageFiles.NETWORK), cpu.manager());
    Network cleanHead = Network.load(clean.outputDir.resolve(StageFiles.NETWORK), cpu.manager());
    assertFalse(adversarialHead.spec().encoder().dualBn());
    ImageSet test = ImageSet.load(data.file(StageFiles.TEST));
    NDArray x = test.images(cpu.manager(), new int[] {0, 1, 2});
    ParameterStore ps = new ParameterStore(cpu.manager(), false);
    // the frozen encoder (adapt_bn false) computes exactly what the chosen pre-training branch computed
    assertArrayEquals(dual.features(ps, x, false, true).toFloatArray(),
        adversarialHead.features(ps, x, false).toFloatArray(), 1e-6f);
    assertArrayEquals(dual.features(ps, x, false, false).toFloatArray(),
        cleanHead.features(ps, x, false).toFloatArray(), 1e-6f);
  }

  @Test
  void zeroHeadInitStartsFromAZeroLayer() throws Exception {
    Params params = StageValidationTest.params(LinearEvalStage.clean(), Map.of("head_init", "zero"));
    assertEquals("zero", params.getString("head_init"));
    Network net = Network.create(new io.robustcl.ml.model.NetworkSpec(
        io.robustcl.ml.model.ResNetSpec.resnet18(2).withBlocks(List.of(1)), List.of(), 3), cpu.manager(),
        new java.util.SplittableRandom(1));
    net.zeroHead();
    NDArray logits = net.logits(new ParameterStore(cpu.manager(), false),
        cpu.manager().randomUniform(0, 1, new ai.djl.ndarray.types.Shape(2, 3, 8, 8)), false);
    assertEquals(0f, logits.abs().sum().getFloat());
  }
}
