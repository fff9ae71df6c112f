package io.robustcl.ml.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.device.GradientTape;
import io.robustcl.ml.device.HostTransfer;
import io.robustcl.testing.CpuScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TorchScript fixtures run through DJL's PyTorch engine: scripted.pt (make_scripted_classifier.py: a tiny
 * CIFAR classifier with batch norms, and PyTorch's eval- and train-mode logits) and model.pt
 * (make_fixtures.py: the tiny CIFAR ResNet whose state_dict is also in model.safetensors).
 */
class ScriptedClassifierTest {

  @RegisterExtension final CpuScope cpu = new CpuScope();
  @TempDir Path temp;

  private static final Path FIXTURES = Path.of("src/test/resources/torch");

  @Test
  void scriptedModuleGivesPyTorchsEvalModeLogits() throws Exception {
    ScriptedClassifier scripted = ScriptedClassifier.load(FIXTURES.resolve("scripted.pt"), cpu.manager());
    SafetensorsFile.Contents expected = SafetensorsFile.read(FIXTURES.resolve("scripted-expected.safetensors"));
    SafetensorsFile.Tensor input = expected.tensors().get("input");
    NDArray x = cpu.manager().create(input.floats(), new Shape(input.shape()));
    float[] logits = scripted.logits(x).toFloatArray();
    float[] evalMode = expected.tensors().get("logits").floats();
    // PyTorch's reference is in eval mode; its train-mode logits (batch statistics instead of the
    // module's running-statistics buffers) differ by more than 0.05, so matching to 1e-4 means the
    // buffers were used
    assertTrue(maxDifference(evalMode, expected.tensors().get("train_logits").floats()) > 0.05);
    assertArrayEquals(evalMode, logits, 1e-4f);
    assertTrue(scripted.methods().contains("features"), scripted.methods().toString());
    assertArrayEquals(expected.tensors().get("features").floats(), scripted.run("features", x).toFloatArray(), 1e-4f);
    // eval mode stays on: the same logits again, and a sample's logits do not depend on the batch
    assertArrayEquals(logits, scripted.logits(x).toFloatArray(), 0f);
    float[] alone = scripted.logits(x.get("0:1")).toFloatArray();
    assertArrayEquals(java.util.Arrays.copyOf(logits, alone.length), alone, 1e-5f);
  }

  @Test
  void inputGradientEqualsTheSameWeightsImportedFromSafetensors() throws Exception {
    ScriptedClassifier scripted = ScriptedClassifier.load(FIXTURES.resolve("model.pt"), cpu.manager());
    Network network = TorchStateDict.load(SafetensorsFile.read(FIXTURES.resolve("model.safetensors")).tensors(),
        null, cpu.manager());
    ParameterStore store = new ParameterStore(cpu.manager(), false);
    NDArray x = cpu.manager().randomUniform(0f, 1f, new Shape(3, 3, 8, 8));
    NDArray weights = cpu.manager().create(new float[] {1f, -2f, 0.5f});
    float[] viaScript = inputGradient(scripted::logits, x, weights);
    float[] viaNetwork = inputGradient(v -> network.logits(store, v, false), x, weights);
    assertTrue(norm(viaScript) > 1e-3, "gradient through the scripted module is zero");
    // the backward reached the input only: the module's weights record no gradient
    NDList moduleWeights = scripted.weights(cpu.manager());
    assertEquals(24, moduleWeights.size());
    for (NDArray w : moduleWeights) {
      assertFalse(w.hasGradient(), "a weight of the scripted module requires a gradient");
    }
    assertArrayEquals(viaNetwork, viaScript, 1e-4f);

    // and against central finite differences of the scripted module itself, on a few pixels
    float[] base = HostTransfer.read(x);
    double h = 1e-2;
    for (int pixel : new int[] {0, 37, 100, 191, 400, 575}) {
      float[] plus = base.clone();
      float[] minus = base.clone();
      plus[pixel] += (float) h;
      minus[pixel] -= (float) h;
      double numeric = (objective(scripted, plus, x.getShape(), weights)
          - objective(scripted, minus, x.getShape(), weights)) / (2 * h);
      assertEquals(numeric, viaScript[pixel], 2e-3, "pixel " + pixel);
    }
  }

  @Test
  void badFilesGiveOneLineErrorsNamingTheFile() throws Exception {
    Path missing = temp.resolve("missing.pt");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScriptedClassifier.load(missing, cpu.manager()));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"));

    Path text = Files.writeString(temp.resolve("notes.pt"), "not a zip archive\n");
    e = assertThrows(IllegalArgumentException.class, () -> ScriptedClassifier.load(text, cpu.manager()));
    assertTrue(e.getMessage().contains(text.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("torch.jit.save"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());

    // a state_dict written by torch.save is a zip archive too, but no TorchScript module
    Path safetensors = FIXTURES.resolve("model.safetensors");
    e = assertThrows(IllegalArgumentException.class, () -> ScriptedClassifier.load(safetensors, cpu.manager()));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());

    ScriptedClassifier scripted = ScriptedClassifier.load(FIXTURES.resolve("model.pt"), cpu.manager());
    NDArray wrongChannels = cpu.manager().zeros(new Shape(1, 1, 8, 8));
    e = assertThrows(IllegalArgumentException.class, () -> scripted.logits(wrongChannels));
    assertTrue(e.getMessage().contains("forward failed on input (1, 1, 8, 8)"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> scripted.run("encode", wrongChannels));
    assertTrue(e.getMessage().contains("has no method 'encode'"), e.getMessage());
  }

  /** d/dx of sum_n sum_k w_k logits_nk. */
  private float[] inputGradient(UnaryOperator<NDArray> logits, NDArray x, NDArray weights) {
    NDArray leaf = x.duplicate();
    leaf.setRequiresGradient(true);
    try (GradientTape tape = GradientTape.record()) {
      tape.backward(logits.apply(leaf).mul(weights).sum());
    }
    return leaf.getGradient().toFloatArray();
  }

  private double objective(ScriptedClassifier scripted, float[] values, Shape shape, NDArray weights) {
    NDArray x = cpu.manager().create(values, shape);
    // float32 logits: the sum in double keeps the differences' rounding small
    float[] out = scripted.logits(x).mul(weights).toFloatArray();
    double sum = 0;
    for (float v : out) {
      sum += v;
    }
    return sum;
  }

  private static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float f : v) {
      s += f * f;
    }
    return Math.sqrt(s);
  }
}
