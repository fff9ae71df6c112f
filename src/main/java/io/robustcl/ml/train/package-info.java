/**
 * Training: optimisers, learning-rate schedules, the training loop with epoch checkpoints, the
 * pre-training methods and the downstream loops.
 *
 * <ul>
 *   <li>{@link io.robustcl.ml.train.SgdOptimizer} (PyTorch SGD semantics, LARS option) over
 *       {@link io.robustcl.ml.train.ModelParameters}; schedules implement
 *       {@link io.robustcl.ml.train.LearningRateSchedule}.
 *   <li>{@link io.robustcl.ml.train.TrainingLoop} runs a {@link io.robustcl.ml.train.TrainingMethod} over a
 *       {@link io.robustcl.ml.train.BatchSource}, reports to a {@link io.robustcl.ml.train.TrainingListener},
 *       writes {@link io.robustcl.ml.train.EpochCheckpoints} and resumes from them.
 *   <li>Methods: {@link io.robustcl.ml.train.SupervisedTraining} (ce, at, trades),
 *       {@link io.robustcl.ml.train.ContrastiveTraining} (simclr, scl, rush), {@link io.robustcl.ml.train.RoclTraining},
 *       {@link io.robustcl.ml.train.UpatTraining}, {@link io.robustcl.ml.train.AsclTraining}. The papers'
 *       hyper-parameters live in one place, the presets in {@code stages/*.yaml}.
 *   <li>Downstream: {@link io.robustcl.ml.train.CleanAccuracy}, {@link io.robustcl.ml.train.RobustAccuracyEvaluation},
 *       {@link io.robustcl.ml.train.LinearEvaluation} (LE and r-LE), {@link io.robustcl.ml.train.FineTuning},
 *       {@link io.robustcl.ml.train.TransformationSmoothedClassifier}, {@link io.robustcl.ml.train.SmoothedInference}.
 * </ul>
 *
 * <p>Nothing here knows the pipeline engine; stages adapt the listener and cancellation check.
 */
@NullMarked
package io.robustcl.ml.train;

import org.jspecify.annotations.NullMarked;
