package io.robustcl.ml.train;

/**
 * A learning-rate schedule: an immutable function of the position in training.
 *
 * <p>{@code epoch} counts from 0; {@code stepInEpoch} counts the optimiser steps already taken
 * in that epoch (0 for the first batch). Schedules defined per epoch in the papers' code
 * ({@code torch.optim.lr_scheduler} stepped once per epoch) ignore {@code stepInEpoch}.
 */
@FunctionalInterface
public interface LearningRateSchedule {
  /** The learning rate for the given step; never negative. */
  double lr(int epoch, int stepInEpoch);

  /** A constant learning rate. */
  static LearningRateSchedule constant(double lr) {
    if (!(lr >= 0)) {
      throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
    }
    return (epoch, step) -> lr;
  }
}
