package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.data.Batch;
import io.robustcl.ml.data.BatchLoader;
import io.robustcl.ml.device.GradientTape;
import io.robustcl.ml.model.Network;
import io.robustcl.testing.CpuScope;
import io.robustcl.testing.GarbageCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 17's transient NaN: the gradient of a training step must not depend on whether the JVM collects
 * garbage between the step's forward and backward passes. It did: DJL's {@code x.mul(0.5f)} makes the
 * 0.5 as a CPU array over a Java buffer and closes it after the multiplication, while autograd keeps the
 * tensor to compute {@code grad * 0.5} in backward; a collection in between freed the buffer, and
 * backward multiplied by whatever the allocator had written there (1e34, Inf or NaN). In training that
 * struck about once in 1,000 CPU steps; here the collection is forced, so it strikes every time.
 */
class CollectionBeforeBackwardTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();

  static Stream<Arguments> methods() {
    return TrainingMethodsTest.methods();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void theGradientsAreTheSameWhenTheCollectorRunsBeforeBackward(String name, Function<Network, TrainingMethod> factory) {
    List<float[]> undisturbed = firstStepGradients(name, factory, false);
    List<float[]> collected = firstStepGradients(name, factory, true);
    assertEquals(undisturbed.size(), collected.size());
    assertTrue(!undisturbed.isEmpty(), name + ": no gradient at all");
    for (int p = 0; p < undisturbed.size(); p++) {
      float[] a = undisturbed.get(p);
      float[] b = collected.get(p);
      for (int i = 0; i < a.length; i++) {
        double tolerance = 1e-5 + 1e-4 * Math.abs(a[i]);
        assertTrue(Math.abs(a[i] - b[i]) <= tolerance, name + ": gradient " + p + "[" + i + "] is " + b[i]
            + " after a collection between forward and backward, " + a[i] + " without");
      }
    }
  }

  /** The gradients of every trainable parameter after the first step of a fresh tiny run (seed 3). */
  private List<float[]> firstStepGradients(String name, Function<Network, TrainingMethod> factory, boolean collect) {
    try (NDManager manager = cpu.manager().newSubManager()) {
      Network network = TrainingMethodsTest.networkFor(name, manager);
      ModelParameters parameters = ModelParameters.of(network.parameters());
      TrainingMethod method = factory.apply(network);
      Batch batch = new BatchLoader(TinyImages.generate(48, 5), 16, true, true, 1).epoch(manager, 0).next();
      StepContext ctx = new StepContext(manager, new ParameterStore(manager, false), new SplittableRandom(11), 0, 0);
      TrainingMethod.BatchLoss prepared = method.prepare(ctx, batch);
      try (GradientTape tape = GradientTape.record()) {
        NDArray loss = prepared.compute();
        if (collect) {
          GarbageCollection.freeUnreachableDirectBuffers();
        }
        tape.backward(loss);
      }
      List<float[]> out = new ArrayList<>();
      for (ModelParameter p : parameters.trainable()) {
        NDArray g = Gradients.gradientOrNull(p.array());
        if (g != null) {
          g.attach(manager);
          out.add(g.toFloatArray());
        }
      }
      return out;
    }
  }
}
