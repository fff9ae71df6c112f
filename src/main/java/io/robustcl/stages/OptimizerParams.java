package io.robustcl.stages;

import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimisation params of a training stage. Defaults are the caller's (each stage type
 * passes its paper setting); presets in {@code stages/} override them per method.
 *
 * @param epochs training epochs
 * @param batchSize images per step
 * @param optimizer {@code sgd}, {@code lars} (SimCLR's: biases and batch norm unadapted) or
 *     {@code lars-all} (torchlars, every parameter adapted: RoCL's public code)
 * @param lr peak learning rate
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param schedule {@code cosine}, {@code multistep} or {@code constant}
 * @param milestones for {@code multistep}, decay points as fractions of {@code epochs}
 * @param gamma multistep decay factor
 * @param warmupEpochs linear warm-up epochs before the schedule
 * @param warmupMultiplier the warm-up rises from {@code lr} to {@code lr * warmupMultiplier}
 *     (RoCL's GradualWarmupScheduler; 1 rises from 0 to {@code lr})
 * @param lrMin the cosine schedule's final learning rate
 */
record OptimizerParams(
    int epochs,
    int batchSize,
    String optimizer,
    double lr,
    double momentum,
    double weightDecay,
    String schedule,
    List<Double> milestones,
    double gamma,
    int warmupEpochs,
    double warmupMultiplier,
    double lrMin) {

  /** Param specs with the given defaults. */
  static List<ParamSpec> specs(
      long epochs, long batchSize, String optimizer, double lr, double weightDecay, String schedule,
      List<Double> milestones) {
    List<ParamSpec> specs = new ArrayList<>();
    specs.add(ParamSpec.integer("epochs", epochs, "training epochs").atLeast(1));
    specs.add(ParamSpec.integer("batch_size", batchSize, "images per step").atLeast(2));
    specs.add(ParamSpec.string("optimizer", optimizer,
        "sgd (momentum), lars (SimCLR's: biases and BN unadapted) or lars-all (torchlars, as RoCL's code)")
        .oneOf("sgd", "lars", "lars-all"));
    specs.add(ParamSpec.floating("lr", lr, "peak learning rate").atLeast(0));
    specs.add(ParamSpec.floating("momentum", 0.9, "SGD momentum").atLeast(0).atMost(1));
    specs.add(ParamSpec.floating("weight_decay", weightDecay, "L2 weight decay").atLeast(0));
    specs.add(ParamSpec.string("schedule", schedule, "learning-rate schedule")
        .oneOf("cosine", "multistep", "constant"));
    specs.add(ParamSpec.list("milestones", ParamType.FLOAT_LIST, milestones,
        "multistep decay points as fractions of epochs, e.g. [0.6, 0.8]").atLeast(0).atMost(1));
    specs.add(ParamSpec.floating("gamma", 0.1, "multistep decay factor").atLeast(0).atMost(1));
    specs.add(ParamSpec.integer("warmup_epochs", 0, "linear warm-up epochs").atLeast(0));
    specs.add(ParamSpec.floating("warmup_multiplier", 1.0,
        "warm-up rises from lr to lr x this (RoCL: 15); 1 rises from 0 to lr").atLeast(1));
    specs.add(ParamSpec.floating("lr_min", 0.0, "final learning rate of the cosine schedule").atLeast(0));
    return specs;
  }

  static OptimizerParams from(Params params) {
    return new OptimizerParams(
        params.getInt("epochs"),
        params.getInt("batch_size"),
        params.getString("optimizer"),
        params.getDouble("lr"),
        params.getDouble("momentum"),
        params.getDouble("weight_decay"),
        params.getString("schedule"),
        params.getDoubleList("milestones"),
        params.getDouble("gamma"),
        params.getInt("warmup_epochs"),
        params.getDouble("warmup_multiplier"),
        params.getDouble("lr_min"));
  }

  static List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    if (params.getLong("warmup_epochs") > params.getLong("epochs")) {
      problems.add("param 'warmup_epochs': " + params.getLong("warmup_epochs") + " exceeds epochs "
          + params.getLong("epochs") + "; lower it");
    }
    if (params.getString("schedule").equals("multistep") && params.getDoubleList("milestones").isEmpty()) {
      problems.add("param 'milestones': schedule multistep needs decay points, e.g. [0.5, 0.75]");
    }
    return problems;
  }
}
