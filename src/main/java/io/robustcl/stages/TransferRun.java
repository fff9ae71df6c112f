package io.robustcl.stages;

import io.robustcl.ml.attack.Norm;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.train.ModelParameters;
import io.robustcl.ml.train.SupervisedTraining;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.StageContext;

/** The computation of a {@link TransferStage}: head on B, then the optional end-to-end fine-tuning. */
final class TransferRun {

  private final StageContext ctx;

  TransferRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() throws Exception {
    Params p = ctx.params();
    long seed = p.getLong("seed");
    Artifact model = ctx.input("model");
    try (ComputeScope scope = ComputeScope.open(ctx.device(), seed)) {
      ImageSet target = StageFiles.imageSet(ctx.input("data"), StageFiles.TRAIN);
      OptimizerParams o = OptimizerParams.from(p);
      Network network = HeadTrainingRun.trainHead(ctx, scope, model, target, p.getString("head").equals("robust"));
      String fineTune = p.getString("fine_tune");
      if (!fineTune.equals("none")) {
        AttackParams a = AttackParams.from(p);
        PgdAttack pgd = new PgdAttack(Norm.LINF, a.eps(), Math.max(a.step(), Double.MIN_NORMAL), a.steps(),
            a.randomStart(), 1, PgdAttack.DEFAULT_L1_TOP_FRACTION);
        SupervisedTraining training = new SupervisedTraining(network,
            TrainingDriver.augmentation(p.getString("augment"), target.height()), new SupervisedTraining.Settings(
                fineTune.equals("trades") ? SupervisedTraining.Objective.TRADES : SupervisedTraining.Objective.AT, pgd,
                p.getDouble("beta")));
        OptimizerParams ft = new OptimizerParams(p.getInt("ft_epochs") > 0 ? p.getInt("ft_epochs") : o.epochs(),
            o.batchSize(), o.optimizer(), p.getDouble("ft_lr") > 0 ? p.getDouble("ft_lr") : o.lr(), o.momentum(),
            o.weightDecay(), o.schedule(), o.milestones(), o.gamma(), 0, 1, o.lrMin());
        TrainingDriver.train(ctx, scope.manager(), network, ModelParameters.of(network.parameters()), training, target,
            ft, seed, "transfer fine-tune " + fineTune, model, ctx.workDir().resolve("checkpoints-fine-tune"));
      }
      network.save(ctx.outputDir().resolve(StageFiles.NETWORK));
      StageFiles.writeLineage(ctx, StageFiles.encoderOrigin(model));
    }
  }
}
