package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.testing.CpuScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  @RegisterExtension final CpuScope cpu = new CpuScope();
  @TempDir Path dir;

  private static List<float[]> values(TinyClassifier model) {
    List<float[]> out = new ArrayList<>();
    for (ModelParameter p : model.parameters.all()) {
      out.add(p.array().toFloatArray());
    }
    return out;
  }

  private TrainingOutcome train(TinyClassifier model, Path checkpoints, int epochs, TrainingListener listener) {
    SgdOptimizer sgd = new SgdOptimizer(model.parameters, SgdSettings.sgd(0.9, 5e-4), cpu.manager());
    TrainingLoop loop = new TrainingLoop(model.parameters, sgd, CosineSchedule.perEpoch(0.1, 0.001, epochs),
        model.crossEntropy(), new TinyClassifier.Clusters(96, 16, 3), listener, CancellationCheck.never());
    return loop.run(cpu.manager(), new TrainingPlan("ce", epochs, 42, checkpoints));
  }

  @Test
  void resumeAfterCrashEqualsUninterruptedRunBitExactly() {
    TinyClassifier reference = new TinyClassifier(cpu.manager(), 1);
    List<float[]> initial = values(reference);
    TrainingOutcome full = train(reference, dir.resolve("a"), 4, TrainingListener.none());
    assertEquals(0, full.resumedAtEpoch());

    TinyClassifier crashing = new TinyClassifier(cpu.manager(), 1);
    RuntimeException crash = assertThrows(RuntimeException.class, () -> train(crashing, dir.resolve("b"), 4, report -> {
      if (report.epoch() == 2 && report.step() == 3) {
        throw new IllegalStateException("simulated crash");
      }
    }));
    assertEquals("simulated crash", crash.getMessage());

    // a fresh process: new model with a different initialisation, resumed from the checkpoint of epoch 2
    TinyClassifier resumed = new TinyClassifier(cpu.manager(), 7);
    AtomicInteger resumedAt = new AtomicInteger(-1);
    TrainingOutcome rest = train(resumed, dir.resolve("b"), 4, new TrainingListener() {
      @Override
      public void stepFinished(StepReport report) {}

      @Override
      public void resumed(int nextEpoch, Path checkpoint) {
        resumedAt.set(nextEpoch);
      }
    });
    assertEquals(2, resumedAt.get());
    assertEquals(2, rest.resumedAtEpoch());
    assertEquals(12, rest.steps());
    List<float[]> expected = values(reference);
    List<float[]> actual = values(resumed);
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "parameter " + reference.parameters.all().get(i).name());
    }
    assertNotEquals(initial.get(0)[0], expected.get(0)[0], "training must have changed the parameters");
  }

  @Test
  void damagedNewestCheckpointFallsBackToOlderOne() throws IOException {
    TinyClassifier model = new TinyClassifier(cpu.manager(), 1);
    train(model, dir, 3, TrainingListener.none());
    Path newest = dir.resolve("epoch-000003.ckpt");
    assertTrue(Files.exists(newest));
    assertTrue(Files.exists(dir.resolve("epoch-000002.ckpt")));
    assertTrue(Files.notExists(dir.resolve("epoch-000001.ckpt")), "only the two newest are kept");
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    TrainingOutcome outcome = train(new TinyClassifier(cpu.manager(), 5), dir, 3, TrainingListener.none());
    assertEquals(2, outcome.resumedAtEpoch());
  }

  @Test
  void checkpointOfAnotherSeedIsRejectedClearly() {
    TinyClassifier model = new TinyClassifier(cpu.manager(), 1);
    train(model, dir, 1, TrainingListener.none());
    SgdOptimizer sgd = new SgdOptimizer(model.parameters, SgdSettings.sgd(0.9, 0), cpu.manager());
    TrainingLoop loop = new TrainingLoop(model.parameters, sgd, LearningRateSchedule.constant(0.1), model.crossEntropy(),
        new TinyClassifier.Clusters(32, 16, 3), TrainingListener.none(), CancellationCheck.never());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.run(cpu.manager(), new TrainingPlan("ce", 2, 43, dir)));
    assertTrue(e.getMessage().contains("seed 42"), e.getMessage());
  }

  @Test
  void nonFiniteLossStopsWithEpochAndStepBeforeUpdating() {
    TinyClassifier model = new TinyClassifier(cpu.manager(), 1);
    TrainingMethod ce = model.crossEntropy();
    List<float[]> before = new ArrayList<>();
    TrainingMethod poisoned = (ctx, batch) -> {
      TrainingMethod.BatchLoss loss = ce.prepare(ctx, batch);
      if (ctx.epoch() == 1 && ctx.step() == 2) {
        if (before.isEmpty()) { // prepare runs again in the forensic re-run of the step
          before.addAll(values(model));
        }
        return () -> loss.compute().div(0).mul(0); // 0/0 = NaN
      }
      return loss;
    };
    SgdOptimizer sgd = new SgdOptimizer(model.parameters, SgdSettings.sgd(0.9, 0), cpu.manager());
    TrainingLoop loop = new TrainingLoop(model.parameters, sgd, LearningRateSchedule.constant(0.1), poisoned,
        new TinyClassifier.Clusters(96, 16, 3), TrainingListener.none(), CancellationCheck.never());
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> loop.run(cpu.manager(), new TrainingPlan("ce", 3, 1, null)));
    assertEquals(1, e.epoch());
    assertEquals(2, e.step());
    assertTrue(e.getMessage().contains("epoch 1, step 2") && e.getMessage().contains("NaN"), e.getMessage());
    List<float[]> after = values(model);
    List<ModelParameter> all = model.parameters.all();
    for (int i = 0; i < before.size(); i++) {
      if (all.get(i).trainable()) { // batch-norm statistics did see the forward pass
        assertArrayEquals(before.get(i), after.get(i), "parameters must not be updated with a NaN loss: " + all.get(i).name());
      }
    }
  }

  @Test
  void cancellationStopsBeforeTheNextStep() {
    TinyClassifier model = new TinyClassifier(cpu.manager(), 1);
    AtomicInteger steps = new AtomicInteger();
    SgdOptimizer sgd = new SgdOptimizer(model.parameters, SgdSettings.sgd(0.9, 0), cpu.manager());
    TrainingLoop loop = new TrainingLoop(model.parameters, sgd, LearningRateSchedule.constant(0.1), model.crossEntropy(),
        new TinyClassifier.Clusters(96, 16, 3), r -> steps.incrementAndGet(), () -> steps.get() >= 8);
    TrainingCancelledException e = assertThrows(TrainingCancelledException.class,
        () -> loop.run(cpu.manager(), new TrainingPlan("ce", 5, 1, dir)));
    assertEquals(8, steps.get());
    assertEquals(1, e.epoch());
    assertEquals(2, e.step());
    assertTrue(Files.exists(dir.resolve("epoch-000001.ckpt")));
    assertTrue(Files.notExists(dir.resolve("epoch-000002.ckpt")));
  }

  @Test
  void trainingLowersTheLossAndReportsProgress() {
    TinyClassifier model = new TinyClassifier(cpu.manager(), 1);
    List<TrainingListener.EpochReport> epochs = new ArrayList<>();
    TrainingOutcome outcome = train(model, null, 6, new TrainingListener() {
      @Override
      public void stepFinished(StepReport report) {
        assertTrue(report.imagesPerSecond() > 0 && report.stepsPerEpoch() == 6 && report.lr() > 0);
      }

      @Override
      public void epochFinished(EpochReport report) {
        epochs.add(report);
      }
    });
    assertEquals(6, epochs.size());
    assertEquals(96, epochs.get(0).images());
    assertTrue(epochs.get(5).meanLoss() < 0.7 * epochs.get(0).meanLoss(), epochs.toString());
    assertEquals(36, outcome.steps());
  }
}
