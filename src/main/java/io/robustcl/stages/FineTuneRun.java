package io.robustcl.stages;

import io.robustcl.ml.attack.Norm;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.train.ModelParameters;
import io.robustcl.ml.train.SelfSupervisedAt;
import io.robustcl.ml.train.SupervisedTraining;
import io.robustcl.ml.train.TrainingMethod;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.StageContext;

/**
 * The computation of a {@link FineTuneStage}: f and a new head l trained together by AT or TRADES;
 * {@code at+ss} is {@link SelfSupervisedAt}: AT plus {@code ss_weight} times the clean SimCLR loss
 * (RoCL eq. 3) through the pre-trained projector g, as RoCL's public code.
 */
final class FineTuneRun {

  private final StageContext ctx;

  FineTuneRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() throws Exception {
    Params p = ctx.params();
    long seed = p.getLong("seed");
    String method = p.getString("method");
    Artifact model = ctx.input("model");
    try (ComputeScope scope = ComputeScope.open(ctx.device(), seed)) {
      ImageSet train = StageFiles.imageSet(ctx.input("data"), StageFiles.TRAIN);
      Network network = PretrainedEncoder.withNewHead(p, model, train.classes().size(), scope.manager(), scope.random());
      if (method.equals("at+ss") && network.projector() == null) {
        throw new IllegalStateException("stage '" + model.stageName() + "' has no projector g; fine-tune method"
            + " at+ss needs a contrastive pre-training");
      }
      AttackParams a = AttackParams.from(p);
      PgdAttack pgd = new PgdAttack(Norm.LINF, a.eps(), Math.max(a.step(), Double.MIN_NORMAL), a.steps(),
          a.randomStart(), 1, PgdAttack.DEFAULT_L1_TOP_FRACTION);
      ImageTransform augment = TrainingDriver.augmentation(p.getString("augment"), train.height());
      SupervisedTraining supervised = new SupervisedTraining(network, augment, new SupervisedTraining.Settings(
          switch (method) {
            case "ce" -> SupervisedTraining.Objective.CE;
            case "trades" -> SupervisedTraining.Objective.TRADES;
            default -> SupervisedTraining.Objective.AT;
          }, pgd,
          p.getDouble("beta")));
      TrainingMethod training = supervised;
      if (method.equals("at+ss")) {
        training = new SelfSupervisedAt(network, supervised,
            java.util.Objects.requireNonNull(TrainingDriver.augmentation("simclr", train.height())), p.getDouble("tau"),
            p.getDouble("ss_weight"));
      }
      TrainingDriver.train(ctx, scope.manager(), network, ModelParameters.of(network.parameters()), training, train,
          OptimizerParams.from(p), seed, "fine-tune " + method, model);
      network.save(ctx.outputDir().resolve(StageFiles.NETWORK));
    }
  }
}
