package io.robustcl.stages;

import io.robustcl.ml.attack.Norm;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.train.LinearEvaluation;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.StageContext;

/**
 * The computation of a {@link LinearEvalStage}: a new head l on the frozen encoder f, trained with
 * cross-entropy on clean images (LE) or on PGD examples through f and l (r-LE, RoCL eq. 7).
 * Only l's parameters are updated (ml.train's {@link LinearEvaluation}); f runs in inference mode
 * unless {@code adapt_bn} lets its batch-norm statistics follow the training images (RUSH); {@code bn_bias}
 * also trains f's batch-norm biases and {@code noise} trains on Q(x) (RUSH's fine-tuning).
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
      Network network = trainHead(ctx, scope, model, train, robust);
      network.save(ctx.outputDir().resolve(StageFiles.NETWORK));
      StageFiles.writeLineage(ctx, StageFiles.encoderOrigin(model));
    }
  }

  /**
   * A new head on {@code model}'s frozen encoder, trained on {@code train} with the stage's params (LE,
   * or r-LE when {@code robust}); returns the network with that head. Also used by {@code transfer}.
   */
  static Network trainHead(StageContext ctx, ComputeScope scope, Artifact model, ImageSet train, boolean robust)
      throws Exception {
    Params p = ctx.params();
    long seed = p.getLong("seed");
    Network network = PretrainedEncoder.withNewHead(p, model, train.classes().size(), scope.manager(), scope.random());
    OptimizerParams o = OptimizerParams.from(p);
    PgdAttack pgd = null;
    if (robust) {
      AttackParams a = AttackParams.from(p);
      pgd = new PgdAttack(Norm.LINF, a.eps(), Math.max(a.step(), Double.MIN_NORMAL), a.steps(), a.randomStart(), 1,
          PgdAttack.DEFAULT_L1_TOP_FRACTION);
    }
    LinearEvaluation.Settings settings = new LinearEvaluation.Settings(
        o.epochs(), Math.min(o.batchSize(), train.size()), TrainingDriver.schedule(o), TrainingDriver.sgd(o),
        TrainingDriver.augmentation(p.getString("augment"), train.height()), NoiseParams.from(p), p.getBool("adapt_bn"),
        pgd, robust && p.getString("loss").equals("trades") ? p.getDouble("beta") : 0, p.getBool("bn_bias"), seed,
        ctx.workDir().resolve("checkpoints"));
    TrainingDriver.CurveListener listener = new TrainingDriver.CurveListener(ctx, robust ? "r-LE" : "LE", model);
    listener.finish(new LinearEvaluation(network, train, settings).run(scope.manager(), listener, ctx::isCancelled));
    return network;
  }
}
