package io.robustcl.stages;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.Attack;
import io.robustcl.ml.attack.ClassificationObjective;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.Norm;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.data.ImageSet;
import io.robustcl.ml.data.SimClrAugmentation;
import io.robustcl.ml.device.ComputeScope;
import io.robustcl.ml.model.Network;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.StageContext;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** The computation of an {@link AttackStage}. */
final class AttackRun {

  private final StageContext ctx;

  AttackRun(StageContext ctx) {
    this.ctx = ctx;
  }

  void run() throws Exception {
    Params p = ctx.params();
    Artifact modelInput = ctx.input("model");
    boolean instanceWise = p.getString("method").equals("instance-wise");
    try (ComputeScope scope = ComputeScope.open(ctx.device(), p.getLong("seed"))) {
      NDManager manager = scope.manager();
      ImageSet test = StageFiles.imageSet(ctx.input("data"), StageFiles.TEST);
      int limit = p.getInt("limit");
      if (limit > 0) {
        test = test.head(limit);
      }
      ParameterStore store = new ParameterStore(manager, false);
      List<NDArray> parameters;
      // what the attack differentiates: g(f(x)) for the instance-wise attack, the logits otherwise
      UnaryOperator<NDArray> forward;
      if (instanceWise) {
        if (ModelInput.scripted(modelInput)) {
          throw ModelInput.notANetwork(modelInput, "param 'method'",
              "the instance-wise attack needs robustcl's projector g; use method: pgd");
        }
        Network network = StageFiles.network(modelInput, manager);
        if (network.projector() == null) {
          throw new IllegalStateException("stage '" + modelInput.stageName() + "' produced a network without a"
              + " projector g; the instance-wise attack needs a contrastive pre-training (simclr, rocl, ...)");
        }
        parameters = FrozenParameters.arraysOf(network.parameters());
        forward = v -> network.projection(store, v, false);
      } else {
        ModelInput model = ModelInput.classifier(modelInput, manager);
        parameters = model.parameters();
        forward = model.logits(store);
      }
      double eps = p.getDouble("eps");
      double step = Math.max(eps * p.getDouble("step_fraction"), Double.MIN_NORMAL);
      Norm norm = Norm.valueOf(p.getString("norm").toUpperCase(Locale.ROOT));
      PgdAttack pgd = new PgdAttack(norm, eps, step, p.getInt("steps"), p.getBool("random_start"), 1,
          PgdAttack.DEFAULT_L1_TOP_FRACTION);
      SimClrAugmentation augmentation = SimClrAugmentation.builder().optSize(test.height()).build();
      InstanceWiseAttack instance = new InstanceWiseAttack(pgd, InstanceWiseAttack.Loss.CONTRASTIVE, p.getDouble("tau"));
      int batch = p.getInt("batch_size");
      int batches = (test.size() + batch - 1) / batch;
      // built on the host: the set goes to disk, so uploading it to the device would only copy it back
      List<float[]> adversarial = new java.util.ArrayList<>(test.size());
      long started = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        ctx.checkCancelled();
        int from = b * batch;
        int to = Math.min(test.size(), from + batch);
        int[] indices = StageFiles.range(from, to);
        try (NDManager sub = manager.newSubManager()) {
          NDArray x = test.images(sub, indices);
          NDArray out;
          if (instanceWise) {
            // RoCL eq. 4 on the test image itself, pushed away from another augmentation t'(x)
            // of the same instance; the rest of the batch are the negatives.
            NDArray other = augmentation.apply(x, scope.random());
            out = instance.perturb(x, other, forward, parameters, scope.random());
          } else {
            NDArray labels = test.labels(sub, indices);
            Attack attack = pgd;
            out = attack.perturb(x, new ClassificationObjective(forward, labels,
                test.classes().size()), parameters, scope.random());
          }
          // host copy once per batch: the adversarial set is stored on disk
          float[] values = out.toFloatArray();
          int pixels = test.pixelsPerImage();
          for (int i = 0; i < to - from; i++) {
            adversarial.add(java.util.Arrays.copyOfRange(values, i * pixels, (i + 1) * pixels));
          }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        ctx.progress(new Progress("attack", 0, 0, b + 1, batches, Double.NaN, to / Math.max(seconds, 1e-9)));
      }
      ImageSet.ofFloats(test.classes(), test.channels(), test.height(), test.width(), adversarial, test.labels())
          .save(ctx.outputDir().resolve(StageFiles.ADVERSARIAL_IMAGES));
      StageFiles.writeLineage(ctx, StageFiles.encoderOrigin(modelInput));
      ctx.putMetric("images", test.size());
    }
  }
}
