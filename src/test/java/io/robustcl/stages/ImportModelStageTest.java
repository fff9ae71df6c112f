package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.SanityCheck;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.SafetensorsFile;
import io.robustcl.pipeline.Artifact;
import io.robustcl.testing.CpuScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** import-model on the PyTorch fixture, then export back; white-box attacks get gradients through it. */
class ImportModelStageTest {

  @TempDir Path temp;
  @RegisterExtension final CpuScope cpu = new CpuScope();

  private static final Path FIXTURE = Path.of("src/test/resources/torch/model.safetensors").toAbsolutePath();

  @Test
  void importsAPyTorchStateDictAndExportsItBack() throws Exception {
    ImportModelStage stage = new ImportModelStage();
    var params = StageValidationTest.params(stage, Map.of("file", FIXTURE.toString()));
    assertEquals(List.of(), stage.validate(params));
    assertEquals(java.util.List.of(FIXTURE), stage.externalInputs(params));
    FakeStageContext ctx = new FakeStageContext(params, Map.of(), temp.resolve("import"));
    stage.run(ctx);
    assertEquals(3.0, ctx.metrics.get("classes"));
    Network network = Network.load(ctx.outputDir.resolve(StageFiles.NETWORK), cpu.manager());
    NDArray x = cpu.manager().randomUniform(0f, 1f, new Shape(4, 3, 8, 8));
    ParameterStore store = new ParameterStore(cpu.manager(), false);
    AttackedClassifier model = new AttackedClassifier(v -> network.logits(store, v, false),
        FrozenParameters.arraysOf(network.parameters()), 3);
    assertTrue(SanityCheck.gradientNonZero(model, x, cpu.manager().create(new long[] {0, 1, 2, 0})).pass());

    Path out = temp.resolve("out.safetensors");
    assertEquals(SafetensorsFile.read(FIXTURE).tensors().size(), ModelExport.safetensors(ctx.outputDir, out));
    SafetensorsFile.Contents original = SafetensorsFile.read(FIXTURE);
    SafetensorsFile.Contents back = SafetensorsFile.read(out);
    assertArrayEquals(original.tensors().get("layer2.0.shortcut.1.running_var").floats(),
        back.tensors().get("layer2.0.shortcut.1.running_var").floats());

    assertTrue(stage.validate(StageValidationTest.params(stage, Map.of("file", temp.resolve("none.safetensors")
        .toString()))).get(0).contains("does not exist"));
    assertTrue(stage.validate(StageValidationTest.params(stage, Map.of())).get(0).contains("param 'file'"));
  }

  private static final Path SCRIPTED = Path.of("src/test/resources/torch/scripted.pt").toAbsolutePath();

  private static Artifact artifact(String stage, String type, FakeStageContext ctx) {
    return new Artifact(stage, type, type, stage, stage, ctx.outputDir, ctx.params,
        com.google.common.collect.ImmutableMap.copyOf(ctx.metrics));
  }

  @Test
  void aTorchScriptClassifierIsEvaluatedWithWhiteBoxAttacksThroughTheStages() throws Exception {
    ImportModelStage stage = new ImportModelStage();
    var params = StageValidationTest.params(stage, Map.of("file", SCRIPTED.toString()));
    assertEquals(List.of(), stage.validate(params));
    FakeStageContext imported = new FakeStageContext(params, Map.of(), temp.resolve("import"));
    stage.run(imported);
    assertEquals(10.0, imported.metrics.get("classes"));
    assertTrue(Files.isRegularFile(imported.outputDir.resolve(ModelInput.SCRIPTED)));
    assertFalse(Files.exists(imported.outputDir.resolve(StageFiles.NETWORK)));
    ModelInput.Description description = ModelInput.description(artifact("imp", "import-model", imported));
    assertEquals(List.of(3, 32, 32), description.input());
    assertEquals(ModelInput.TORCHSCRIPT, description.kind());

    // a 10-class test set: the fixture's 4 reference images, the first labelled with PyTorch's
    // prediction and the second with another class, so the clean accuracy is in [1/4, 3/4]
    SafetensorsFile.Contents expected = SafetensorsFile.read(SCRIPTED.resolveSibling("scripted-expected.safetensors"));
    float[] pixels = expected.tensors().get("input").floats();
    float[] logits = expected.tensors().get("logits").floats();
    int side = 3 * 32 * 32;
    List<float[]> images = new ArrayList<>();
    int[] labels = new int[4];
    for (int i = 0; i < 4; i++) {
      images.add(java.util.Arrays.copyOfRange(pixels, i * side, (i + 1) * side));
      labels[i] = i == 1 ? (argMax(logits, i) + 1) % 10 : argMax(logits, i);
    }
    labels[3] = (labels[3] + 3) % 10;
    FakeStageContext data = new FakeStageContext(StageValidationTest.params(new DatasetStage(), Map.of()), Map.of(),
        temp.resolve("data"));
    ImageSet set = ImageSet.ofFloats(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), 3, 32, 32, images,
        labels);
    set.save(data.outputDir.resolve(StageFiles.TEST));
    set.save(data.outputDir.resolve(StageFiles.TRAIN));

    EvaluateStage evaluate = new EvaluateStage();
    Map<String, Object> evalParams = new HashMap<>();
    evalParams.put("threats", List.of("linf:8/255", "linf:16/255"));
    evalParams.put("attacks", List.of("pgd", "apgd-ce", "fab-t"));
    evalParams.put("steps", 3L);
    evalParams.put("apgd_iterations", 5L);
    evalParams.put("fab_iterations", 3L);
    evalParams.put("targets", 2L);
    evalParams.put("batch_size", 4L);
    FakeStageContext eval = new FakeStageContext(StageValidationTest.params(evaluate, evalParams),
        Map.of("model", List.of(artifact("imp", "import-model", imported)),
            "data", List.of(artifact("data", "dataset", data))), temp.resolve("eval"));
    evaluate.run(eval);
    assertEquals(50.0, eval.metrics.get("clean"), 1e-9);
    assertEquals(1.0, eval.metrics.get("check/gradient-nonzero/pass"), "gradients reach the input");
    assertEquals(1.0, eval.metrics.get("check/deterministic/pass"), "eval mode: batch norms use running stats");
    // APGD-CE and FAB-T break both correct points of the fixture's random weights at 8/255 (20 steps of
    // PGD in PyTorch do too), and 3 steps of PGD one of them at 16/255: gradients come through the module
    assertEquals(0.0, eval.metrics.get("apgd-ce/linf:8/255"), 1e-9, eval.metrics.toString());
    assertEquals(0.0, eval.metrics.get("fab-t/linf:8/255"), 1e-9, eval.metrics.toString());
    assertTrue(eval.metrics.get("linf:16/255") < 50.0, eval.metrics.toString());

    // attack makes an adversarial set through the module, and evaluate scores the module on it
    AttackStage attack = new AttackStage();
    FakeStageContext attacked = new FakeStageContext(StageValidationTest.params(attack, Map.of("steps", 10L)),
        eval.inputs, temp.resolve("attack"));
    attack.run(attacked);
    evalParams.put("attacks", List.of("pgd"));
    FakeStageContext transfer = new FakeStageContext(StageValidationTest.params(evaluate, evalParams),
        Map.of("model", eval.inputs.get("model"), "data", eval.inputs.get("data"),
            "adversarial", List.of(artifact("attack", "attack", attacked))), temp.resolve("transfer"));
    evaluate.run(transfer);
    assertEquals(0.0, transfer.metrics.get(EvaluateRun.BLACK_BOX + "attack"), 1e-9, transfer.metrics.toString());

    // black-box takes it as a target: the clean test set stands in for another model's adversarial set
    FakeStageContext other = new FakeStageContext(StageValidationTest.params(attack, Map.of()), Map.of(),
        temp.resolve("other"));
    set.save(other.outputDir.resolve(StageFiles.ADVERSARIAL_IMAGES));
    StageFiles.writeLineage(other, "another encoder");
    BlackBoxStage blackBox = new BlackBoxStage();
    FakeStageContext bb = new FakeStageContext(StageValidationTest.params(blackBox,
        Map.of("target_names", List.of("scripted"), "source_names", List.of("other"))),
        Map.of("targets", eval.inputs.get("model"), "sources", List.of(artifact("other", "attack", other))),
        temp.resolve("bb"));
    blackBox.run(bb);
    assertEquals(50.0, bb.metrics.get("acc.scripted.other"), 1e-9, bb.metrics.toString());

    IllegalArgumentException export = assertThrows(IllegalArgumentException.class,
        () -> ModelExport.safetensors(imported.outputDir, temp.resolve("scripted.safetensors")));
    assertTrue(export.getMessage().endsWith(imported.outputDir.resolve(ModelInput.SCRIPTED).toString()),
        export.getMessage());

    // what an opaque module cannot give: one-line errors naming the param and the way out
    evalParams.put("inference", "transformation-smoothed");
    FakeStageContext smoothed = new FakeStageContext(StageValidationTest.params(evaluate, evalParams),
        eval.inputs, temp.resolve("smoothed"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> evaluate.run(smoothed));
    assertTrue(e.getMessage().startsWith("param 'inference': ") && e.getMessage().contains("safetensors"),
        e.getMessage());
    LinearEvalStage linear = LinearEvalStage.clean();
    FakeStageContext le = new FakeStageContext(StageValidationTest.params(linear, Map.of("epochs", 1L)),
        Map.of("model", List.of(artifact("imp", "import-model", imported)),
            "data", List.of(artifact("data", "dataset", data))), temp.resolve("le"));
    e = assertThrows(IllegalArgumentException.class, () -> linear.run(le));
    assertTrue(e.getMessage().startsWith("input 'model': ") && e.getMessage().contains("stage 'imp'")
        && e.getMessage().contains("import-model file: model.safetensors"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void badTorchScriptFilesAreOneLineErrors() throws Exception {
    ImportModelStage stage = new ImportModelStage();
    Path text = Files.writeString(temp.resolve("broken.pt"), "not TorchScript");
    FakeStageContext ctx = new FakeStageContext(StageValidationTest.params(stage, Map.of("file", text.toString())),
        Map.of(), temp.resolve("broken"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stage.run(ctx));
    assertTrue(e.getMessage().contains(text.toString()) && e.getMessage().contains("torch.jit.save"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertFalse(Files.exists(ctx.outputDir.resolve(ModelInput.DESCRIPTION)), "nothing half-written");

    assertTrue(stage.validate(StageValidationTest.params(stage, Map.of("file", SCRIPTED.toString(),
        "normalization", "cifar10"))).get(0).startsWith("param 'normalization'"));
    Path other = Files.writeString(temp.resolve("model.onnx"), "x");
    assertTrue(stage.validate(StageValidationTest.params(stage, Map.of("file", other.toString()))).get(0)
        .contains("torch.jit.save"));
  }

  private static int argMax(float[] logits, int row) {
    int best = 0;
    for (int k = 1; k < 10; k++) {
      if (logits[row * 10 + k] > logits[row * 10 + best]) {
        best = k;
      }
    }
    return best;
  }
}
