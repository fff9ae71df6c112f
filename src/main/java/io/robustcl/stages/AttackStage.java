package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage type {@code attack}: an adversarial copy of the {@code data} input's test split made
 * against the {@code model} input: {@code pgd} maximises the cross-entropy through f and the head
 * l; {@code instance-wise} (RoCL eq. 4) maximises the contrastive loss between the attacked
 * image and another augmentation through f and the projector g, without labels. The artifact
 * holds {@code images/} (float32 image set with the true labels) and {@code source.json}, the
 * lineage {@code black-box} uses to leave a model's own attack out.
 */
public final class AttackStage implements Stage {

  @Override
  public String doc() {
    return "adversarial test set from a source model: pgd (f and l) or instance-wise (f and g)";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.string("method", "pgd", "pgd (cross-entropy through f and l) or instance-wise (NT-Xent through f and g)")
            .oneOf("pgd", "instance-wise"),
        ParamSpec.string("norm", "linf", "ball of the attack: linf, l2 or l1").oneOf("linf", "l2", "l1"),
        ParamSpec.floating("eps", 8 / 255.0, "attack radius, e.g. 8/255").atLeast(0),
        ParamSpec.floating("step_fraction", 0.1, "step size as a fraction of eps (RoCL evaluation: 0.1)").atLeast(0),
        ParamSpec.integer("steps", 20, "PGD iterations").atLeast(0),
        ParamSpec.bool("random_start", true, "start uniformly inside the ball"),
        ParamSpec.floating("tau", 0.5, "instance-wise: NT-Xent temperature").atLeast(1e-6),
        ParamSpec.integer("limit", 0, "attack only the first N test images (0 = all)").atLeast(0),
        ParamSpec.integer("batch_size", 256, "images per attack batch (instance-wise: the negatives)").atLeast(2),
        ParamSpec.integer("seed", 0, "seed of random starts and augmentations"));
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(
        InputPort.one("model", "source network (pgd needs its head l, instance-wise its projector g)",
            ArtifactKinds.MODEL, ArtifactKinds.CLASSIFIER),
        InputPort.one("data", "dataset whose test split is attacked", ArtifactKinds.DATASET));
  }

  /** 2: random starts draw from the stage's own generator. */
  @Override
  public int version() {
    return 2;
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.ADVERSARIAL_SET;
  }

  @Override
  public List<String> validate(Params params) {
    List<String> problems = new ArrayList<>();
    if (params.getDouble("eps") < 0) {
      problems.add("param 'eps': " + params.getDouble("eps") + " is negative; an attack radius is >= 0");
    }
    if (params.getString("method").equals("instance-wise") && !params.getString("norm").equals("linf")) {
      problems.add("param 'norm': the instance-wise attack (RoCL eq. 4) is l_inf; set norm: linf");
    }
    return problems;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new AttackRun(ctx).run();
  }
}
