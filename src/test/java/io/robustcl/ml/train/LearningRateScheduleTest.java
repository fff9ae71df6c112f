package io.robustcl.ml.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
  @Test
  void stepScheduleDecaysEveryStepEpochs() {
    StepSchedule s = new StepSchedule(0.1, 10, 0.5);
    assertEquals(0.1, s.lr(0, 0), 1e-12);
    assertEquals(0.1, s.lr(9, 99), 1e-12);
    assertEquals(0.05, s.lr(10, 0), 1e-12);
    assertEquals(0.025, s.lr(25, 0), 1e-12);
  }

  @Test
  void multiStepScheduleFollowsRoclLinearEvalMilestones() {
    MultiStepSchedule s = new MultiStepSchedule(0.1, List.of(30, 50, 100), 0.1);
    assertEquals(0.1, s.lr(29, 0), 1e-12);
    assertEquals(0.01, s.lr(30, 0), 1e-12);
    assertEquals(0.001, s.lr(50, 0), 1e-12);
    assertEquals(0.0001, s.lr(149, 0), 1e-12);
    MultiStepSchedule ascl = MultiStepSchedule.atFractions(0.1, 100, 0.1, 0.6, 0.8);
    assertEquals(List.of(60, 80), ascl.milestones());
    assertThrows(IllegalArgumentException.class, () -> new MultiStepSchedule(0.1, List.of(5, 5), 0.1));
  }

  @Test
  void cosineGoesFromBaseToFinal() {
    CosineSchedule s = CosineSchedule.perEpoch(0.5, 0.001, 100);
    assertEquals(0.5, s.lr(0, 0), 1e-12);
    assertEquals((0.5 + 0.001) / 2, s.lr(50, 7), 1e-12);
    assertEquals(0.001, s.lr(100, 0), 1e-12);
    assertEquals(0.001, s.lr(150, 0), 1e-12);
    CosineSchedule perStep = new CosineSchedule(1.0, 0.0, 2, 4);
    assertEquals(0.5, perStep.lr(1, 0), 1e-12);
    assertEquals((1 + Math.cos(Math.PI * 1.5 / 2)) / 2, perStep.lr(1, 2), 1e-12);
  }

  @Test
  void roclWarmupRisesFifteenfoldOverTenEpochsThenCosine() {
    WarmupSchedule s = WarmupSchedule.rocl(0.2, 15, 10, 100);
    assertEquals(0.2, s.lr(0, 0), 1e-12);
    assertEquals(0.2 * (14 * 5 / 10.0 + 1), s.lr(5, 0), 1e-12);
    assertEquals(3.0, s.lr(10, 0), 1e-12);
    // cosine from 3.0 with T_max = 100, shifted by the 10 warm-up epochs
    assertEquals(3.0 * (1 + Math.cos(Math.PI * 40 / 100)) / 2, s.lr(50, 0), 1e-12);
    WarmupSchedule fromZero = new WarmupSchedule(0.4, 1, 4, LearningRateSchedule.constant(0.4));
    assertEquals(0.0, fromZero.lr(0, 0), 1e-12);
    assertEquals(0.2, fromZero.lr(2, 0), 1e-12);
    assertEquals(0.4, fromZero.lr(9, 0), 1e-12);
  }
}
