package io.robustcl.ml.model;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.robustcl.ml.device.DeviceScalars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A classifier trained elsewhere and kept as the TorchScript module {@code torch.jit.save} wrote: an
 * opaque map from images in [0,1] (N, C, H, W) to logits (N, K), run by DJL's PyTorch engine.
 *
 * <p>Why opaque: DJL 0.25's {@link PtSymbolBlock} exposes a module's parameters but not its buffers, so
 * batch-norm running statistics cannot be copied into robustcl's own {@link ResNet}. Here they stay
 * inside the module, which always runs in eval mode ({@code module.eval()}): batch norms use their
 * running statistics, dropout is off. The module's weights are never trained here: their
 * {@code requires_grad} is switched off at load, so a backward computes the input's gradient only (what
 * an attack needs) and nothing accumulates in the weights.
 *
 * <p>Gradients: DJL runs a module without autograd unless it is asked for training mode, and training
 * mode is also what switches batch norm to batch statistics. So {@link #logits} calls the module's method
 * with autograd allowed while the module itself stays in eval mode; whether a graph is recorded is then
 * up to the thread's grad mode, i.e. to an enclosing {@code GradientTape}.
 *
 * <p>The module lives on the manager given to {@link #load} and is freed when that manager closes;
 * outputs attach to the input's manager, as {@link Network}'s do.
 */
public final class ScriptedClassifier {

  /** The scripted method giving the logits. */
  public static final String FORWARD = "forward";

  private final PtSymbolBlock module;
  private final Path file;
  private final List<String> methods;

  private ScriptedClassifier(PtSymbolBlock module, Path file, List<String> methods) {
    this.module = module;
    this.file = file;
    this.methods = methods;
  }

  /**
   * Loads a TorchScript file onto {@code manager}'s device, in eval mode, with its weights' gradients off.
   *
   * @throws IllegalArgumentException with a one-line message naming the file when it is missing or is
   *     not a TorchScript archive PyTorch can read
   */
  public static ScriptedClassifier load(Path file, NDManager manager) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("TorchScript file " + file + " does not exist");
    }
    if (!(manager instanceof PtNDManager pt)) {
      throw new IllegalArgumentException("TorchScript file " + file + ": needs DJL's PyTorch engine, not "
          + manager.getEngine().getEngineName());
    }
    PtSymbolBlock module;
    try {
      // trainParam = true: DJL otherwise loads the weights as inference tensors, through which
      // PyTorch records no backward ("Inference tensors cannot be saved for backward")
      module = JniUtils.loadModule(pt, file, true, new String[0], new String[0], true);
    } catch (EngineException e) {
      throw new IllegalArgumentException("TorchScript file " + file + " cannot be loaded by PyTorch ("
          + mainLine(e.getMessage()) + "); write it with torch.jit.save(torch.jit.script(model), path)", e);
    }
    JniUtils.enableInferenceMode(module);
    NDList weights = JniUtils.moduleGetParams(module, pt);
    for (NDArray weight : weights) {
      weight.setRequiresGradient(false);
    }
    weights.close(); // handles only: the module keeps its tensors
    return new ScriptedClassifier(module, file, List.of(JniUtils.getMethodNames(module)));
  }

  /** The module's weight tensors, as new handles on {@code manager} (for checks; the module keeps its own). */
  NDList weights(NDManager manager) {
    return JniUtils.moduleGetParams(module, (PtNDManager) manager);
  }

  /** The TorchScript file this was loaded from. */
  public Path file() {
    return file;
  }

  /** The module's methods, {@code forward} among them. */
  public List<String> methods() {
    return methods;
  }

  /**
   * The module's {@code forward} on x: logits (N, K), in eval mode; differentiable in x under a tape.
   *
   * @throws IllegalArgumentException with a one-line message when the module rejects x or does not
   *     return a float32 (N, K) tensor
   */
  public NDArray logits(NDArray x) {
    NDArray out = run(FORWARD, x);
    Shape shape = out.getShape();
    if (shape.dimension() != 2 || shape.get(0) != x.getShape().get(0) || out.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("TorchScript file " + file + ": forward on " + x.getShape()
          + " returned " + out.getDataType() + " " + shape + ", not float32 logits (N, classes)");
    }
    return out;
  }

  /**
   * A single-tensor method of the module on x, in eval mode; differentiable in x under a tape.
   *
   * @throws IllegalArgumentException when the module has no such method or the method rejects x
   */
  public NDArray run(String method, NDArray x) {
    if (!methods.contains(method)) {
      throw new IllegalArgumentException("TorchScript file " + file + " has no method '" + method
          + "' (it has " + methods + ")");
    }
    NDList inputs = new NDList(x);
    if (!FORWARD.equals(method)) {
      // DJL runs another method than forward when the inputs hold an array of this name; that array
      // only names the method and is not passed to it
      NDArray marker = DeviceScalars.uncounted().like(x, 0f);
      marker.setName("module_method:" + method);
      inputs.add(marker);
    }
    NDList out;
    try {
      // "training" = true only lets autograd run (DJL otherwise wraps the call in a no-grad guard);
      // the module stays in eval mode, set at load, so batch norms use their running statistics
      out = IValueUtils.forward(module, inputs, true);
    } catch (EngineException e) {
      throw new IllegalArgumentException("TorchScript file " + file + ": " + method + " failed on input "
          + x.getShape() + " (" + mainLine(e.getMessage()) + ")", e);
    }
    if (out.size() != 1) {
      out.close();
      throw new IllegalArgumentException("TorchScript file " + file + ": " + method + " returned " + out.size()
          + " tensors, not one");
    }
    return out.singletonOrThrow();
  }

  /** The line of PyTorch's message that says what failed: its last "...Error: ..." line, else its first. */
  private static String mainLine(String message) {
    if (message == null) {
      return "no message";
    }
    List<String> lines = message.strip().lines().map(String::strip).toList();
    String line = lines.isEmpty() ? "" : lines.get(0);
    for (String l : lines) {
      if (l.matches("^[A-Za-z_.:]*Error: .*")) {
        line = l;
      }
    }
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  @Override
  public String toString() {
    return "ScriptedClassifier[" + file + "]";
  }
}
