package io.robustcl.ml.train;

/**
 * @param epochs epochs completed in total
 * @param resumedAtEpoch the first epoch this run trained (0 if it started fresh)
 * @param lastEpochMeanLoss mean step loss of the last epoch this run trained (NaN if it trained none)
 * @param steps optimiser steps this run took
 * @param recomputedSteps steps whose loss or gradients were not finite but whose checked re-run was, and
 *     whose re-run's update was used ({@link TrainingListener#stepRecomputed})
 */
public record TrainingOutcome(int epochs, int resumedAtEpoch, double lastEpochMeanLoss, long steps,
    long recomputedSteps) {}
