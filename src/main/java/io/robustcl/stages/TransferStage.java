package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage type {@code transfer} (RoCL table 4; ASCL table 3, RUSH table 1): the {@code model} input's
 * encoder f, pre-trained on a dataset A, gets a new head l trained on the {@code data} input B (a
 * different dataset: CIFAR-10 -> CIFAR-100 or back), clean ({@code head: clean}, LE) or on PGD
 * class-adversarial examples ({@code head: robust}, r-LE), and optionally f and l are then fine-tuned
 * together ({@code fine_tune: at} or {@code trades}). Evaluate the result on B's test split with
 * {@code evaluate}.
 *
 * <p>Settings: RoCL's appendix B is not in the copy of the paper at hand; its public code transfers with
 * the linear-evaluation script (src/linear_eval.py with {@code --dataset cifar-100} and a CIFAR-10
 * checkpoint): a new linear layer, {@code --adv_img} for the robust head, {@code --finetune} to train f too,
 * SGD lr 0.1 momentum 0.9 wd 5e-4, 150 epochs, batch 1024 (total_process.sh), which are this stage's
 * defaults (those of robust-linear-eval; the script's r-LE PGD is l_inf 0.0314, step 0.007, 10 steps).
 */
public final class TransferStage implements Stage {

  @Override
  public String doc() {
    return "transfer: a new head (clean LE or robust r-LE) on another dataset, optionally fine-tuned with f";
  }

  @Override
  public List<ParamSpec> params() {
    // every param of robust-linear-eval (optimiser, PGD, loss, augment, seed, bn, head_init, ...)
    List<ParamSpec> specs = new ArrayList<>(LinearEvalStage.robust().params());
    specs.add(ParamSpec.string("head", "robust", "clean (LE) or robust (r-LE, PGD l_inf examples)").oneOf("clean", "robust"));
    specs.add(ParamSpec.string("fine_tune", "none", "after the head: none, or at / trades to train f and l together"
        + " (trades uses beta)").oneOf("none", "at", "trades"));
    specs.add(ParamSpec.integer("ft_epochs", 0, "fine-tuning epochs (0 = epochs)").atLeast(0));
    specs.add(ParamSpec.floating("ft_lr", 0.0, "fine-tuning learning rate (0 = lr)").atLeast(0));
    return specs;
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(
        InputPort.one("model", "network pre-trained on the source dataset A", ArtifactKinds.MODEL),
        InputPort.one("data", "the target dataset B (its train split trains the head)", ArtifactKinds.DATASET));
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.CLASSIFIER;
  }

  @Override
  public List<String> validate(Params params) {
    return LinearEvalStage.robust().validate(params);
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new TransferRun(ctx).run();
  }
}
