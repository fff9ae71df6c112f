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

/**
 * The computation of a {@link LinearEvalStage}: a new head l on the frozen encoder f, trained with
 * cross-entropy on clean images (LE) or on PGD examples through f and l (r-LE, RoCL eq. 7).
 * Only l's parameters are updated; the frozen encoder runs in training mode like the rest of the
 * step, so its batch-norm statistics follow the training images.
 */
final class HeadTrainingRun {

  private final StageContext ctx;
  private final boolean robust;

  HeadTrainingRun(StageContext ctx, boolean robust) {
    this.ctx = ctx;
    this.robust = robust;
  }

  void run() throws Exception {
    Params p = ctx.params();
    long seed = p.getLong("seed");
    Artifact model = ctx.input("model");
    try (ComputeScope scope = ComputeScope.open(ctx.device(), seed)) {
      ImageSet train = StageFiles.imageSet(ctx.input("data"), StageFiles.TRAIN);
      Network pretrained = StageFiles.network(model, scope.manager());
      Network network = pretrained.withHead(train.classes().size(), scope.manager(), scope.random());
      network.freezeEncoder(true);
      SupervisedTraining.Settings settings;
      if (robust) {
        AttackParams a = AttackParams.from(p);
        PgdAttack pgd = new PgdAttack(Norm.LINF, a.eps(), Math.max(a.step(), Double.MIN_NORMAL), a.steps(),
            a.randomStart(), 1, PgdAttack.DEFAULT_L1_TOP_FRACTION);
        settings = new SupervisedTraining.Settings(SupervisedTraining.Objective.AT, pgd, 0);
      } else {
        settings = SupervisedTraining.Settings.ce();
      }
      SupervisedTraining method = new SupervisedTraining(
          network, TrainingDriver.augmentation(p.getString("augment"), train.height()), settings);
      TrainingDriver.train(ctx, scope.manager(), network, ModelParameters.of(network.parameters()), method, train,
          OptimizerParams.from(p), seed, robust ? "r-LE" : "LE");
      network.save(ctx.outputDir().resolve(StageFiles.NETWORK));
      StageFiles.writeLineage(ctx, StageFiles.encoderOrigin(model));
    }
  }
}
