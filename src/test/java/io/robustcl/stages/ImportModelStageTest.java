package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.AttackedClassifier;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.SanityCheck;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.SafetensorsFile;
import io.robustcl.testing.CpuScope;
import java.nio.file.Path;
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
    assertEquals(java.util.List.of(), stage.validate(params));
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
}
