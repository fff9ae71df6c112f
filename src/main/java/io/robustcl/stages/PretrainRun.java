package io.robustcl.stages;

import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.MultiSteepestDescent;
import io.robustcl.ml.attack.Norm;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.ml.model.NetworkSpec;
import io.robustcl.ml.model.ResNetSpec;
import io.robustcl.ml.train.AclTraining;
import io.robustcl.ml.train.AsclTraining;
import io.robustcl.ml.train.ContrastiveTraining;
import io.robustcl.ml.train.ModelParameters;
import io.robustcl.ml.train.RoclTraining;
import io.robustcl.ml.train.SupervisedTraining;
import io.robustcl.ml.train.TrainingMethod;
import io.robustcl.ml.train.UpatTraining;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.StageContext;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The computation of a {@link PretrainStage}. */
final class PretrainRun {

  private final StageContext ctx;

  PretrainRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() throws Exception {
    Params p = ctx.params();
    String method = p.getString("method");
    long seed = p.getLong("seed");
    try (ComputeScope scope = ComputeScope.open(ctx.device(), seed)) {
      ImageSet train = StageFiles.imageSet(ctx.input("data"), StageFiles.TRAIN);
      ArchitectureParams arch = ArchitectureParams.from(p);
      boolean supervised = PretrainStage.SUPERVISED.contains(method);
      // ss-ood keeps its rotation head r: f -> 4 in the projector slot
      boolean contrastive = !supervised || method.equals("ascl") || method.equals("ss-ood");
      ResNetSpec encoder = new ResNetSpec(arch.depth(), arch.width(), arch.blocks(), arch.dualBn(), null);
      NetworkSpec spec = new NetworkSpec(encoder, contrastive ? arch.projector() : List.of(),
          supervised ? train.classes().size() : 0);
      Network network = Network.create(spec, scope.manager(), scope.random());
      TrainingMethod training = method(p, method, network, train.height());
      TrainingDriver.train(ctx, scope.manager(), network, ModelParameters.of(network.parameters()), training, train,
          OptimizerParams.from(p), seed, method, null);
      network.save(ctx.outputDir().resolve(StageFiles.NETWORK));
    }
  }

  private static TrainingMethod method(Params p, String method, Network network, int size) {
    AttackParams a = AttackParams.from(p);
    PgdAttack pgd = new PgdAttack(Norm.LINF, a.eps(), Math.max(a.step(), Double.MIN_NORMAL), a.steps(), a.randomStart(),
        1, PgdAttack.DEFAULT_L1_TOP_FRACTION);
    ImageTransform augment = TrainingDriver.augmentation(p.getString("augment"), size);
    double tau = p.getDouble("tau");
    return switch (method) {
      case "ce" -> new SupervisedTraining(network, augment, new SupervisedTraining.Settings(
          SupervisedTraining.Objective.CE, pgd, 0));
      case "at" -> new SupervisedTraining(network, augment, new SupervisedTraining.Settings(
          SupervisedTraining.Objective.AT, pgd, 0));
      case "trades" -> new SupervisedTraining(network, augment, new SupervisedTraining.Settings(
          SupervisedTraining.Objective.TRADES, pgd, p.getDouble("beta")));
      case "alp" -> new SupervisedTraining(network, augment, new SupervisedTraining.Settings(
          SupervisedTraining.Objective.ALP, pgd, p.getDouble("beta")));
      case "ss-ood" -> new SupervisedTraining(network, augment, new SupervisedTraining.Settings(
          SupervisedTraining.Objective.SS_OOD, pgd, p.getDouble("beta")));
      case "msd" -> new SupervisedTraining(network, augment, new SupervisedTraining.Settings(
          SupervisedTraining.Objective.MSD, msd(p, a.steps()), 0));
      case "simclr" -> new ContrastiveTraining(network, required(augment, method), null,
          new ContrastiveTraining.Settings(ContrastiveTraining.Objective.SIMCLR, tau));
      case "scl" -> new ContrastiveTraining(network, required(augment, method), null,
          new ContrastiveTraining.Settings(ContrastiveTraining.Objective.SCL, tau));
      case "rush" -> new ContrastiveTraining(network, required(augment, method), NoiseParams.from(p),
          new ContrastiveTraining.Settings(ContrastiveTraining.Objective.RUSH, tau));
      case "rocl" -> new RoclTraining(network, required(augment, method), new RoclTraining.Settings(
          pgd, attackLoss(p), InstanceWiseAttack.View.parse(p.getString("attacked_view")),
          InstanceWiseAttack.View.parse(p.getString("attack_target")), tau, p.getDouble("lambda")));
      case "upat" -> new UpatTraining(network, required(augment, method), new UpatTraining.Settings(
          pgd, attackLoss(p), InstanceWiseAttack.View.parse(p.getString("attacked_view")),
          InstanceWiseAttack.View.parse(p.getString("attack_target")), tau, p.getDouble("lambda")));
      case "ascl" -> new AsclTraining(network, required(augment, method), new AsclTraining.Settings(
          pgd, p.getDouble("lambda1"), p.getDouble("lambda2"), tau, p.getBool("dual_bn"),
          AsclTraining.Generation.valueOf(p.getString("attack_generation").toUpperCase(Locale.ROOT).replace('-', '_'))));
      case "acl" -> new AclTraining(network, required(augment, method), new AclTraining.Settings(
          pgd, tau, p.getBool("dual_bn")));
      default -> throw new IllegalArgumentException("param 'method': unknown method '" + method + "'");
    };
  }

  /** The {@code attack_loss} param: contrastive, mse, cosine or l1 (RoCL's sim, mse, cos, l1). */
  static InstanceWiseAttack.Loss attackLoss(Params p) {
    return switch (p.getString("attack_loss")) {
      case "mse" -> InstanceWiseAttack.Loss.MSE;
      case "cosine" -> InstanceWiseAttack.Loss.COSINE;
      case "l1" -> InstanceWiseAttack.Loss.L1;
      default -> InstanceWiseAttack.Loss.CONTRASTIVE;
    };
  }

  /** Robust-Union's MSD over l_inf, l_2, l_1 with the {@code msd_eps} radii and {@code msd_step} steps. */
  private static MultiSteepestDescent msd(Params p, int steps) {
    List<Double> eps = p.getDoubleList("msd_eps");
    List<Double> step = p.getDoubleList("msd_step");
    List<Norm> norms = List.of(Norm.LINF, Norm.L2, Norm.L1);
    List<MultiSteepestDescent.ThreatModel> balls = new java.util.ArrayList<>();
    for (int i = 0; i < norms.size(); i++) {
      balls.add(new MultiSteepestDescent.ThreatModel(norms.get(i), eps.get(i), Math.max(step.get(i), Double.MIN_NORMAL),
          PgdAttack.DEFAULT_L1_TOP_FRACTION));
    }
    return new MultiSteepestDescent(balls, steps);
  }

  private static ImageTransform required(@org.jspecify.annotations.Nullable ImageTransform augment, String method) {
    return Objects.requireNonNull(augment, () -> "param 'augment': method " + method
        + " compares augmented views; set augment: simclr");
  }
}
