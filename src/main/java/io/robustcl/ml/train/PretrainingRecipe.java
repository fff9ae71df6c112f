package io.robustcl.ml.train;

import io.robustcl.ml.data.ImageTransform;
import io.robustcl.ml.model.Network;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A pre-training method (stage {@code pretrain}, param {@code method}) with the optimiser, schedule and
 * batch size its paper uses (METHODS.md table); the training loop runs it.
 *
 * @param name the method's name, one of {@link #METHODS}
 * @param method the per-batch objective
 * @param sgd optimiser settings
 * @param schedule learning-rate schedule over the run's epochs
 * @param batchSize the paper's batch size (CPU profiles may override it)
 */
public record PretrainingRecipe(String name, TrainingMethod method, SgdSettings sgd, LearningRateSchedule schedule, int batchSize) {
  /** The method names, in METHODS.md order. */
  public static final List<String> METHODS = List.of("ce", "at", "trades", "simclr", "scl", "rocl", "upat", "ascl", "acl", "rush");

  /**
   * The paper recipe of {@code name} for a run of {@code epochs} epochs.
   *
   * <ul>
   *   <li>ce, at, trades: SGD lr 0.1 mom 0.9 wd 2e-4, x0.1 at 75% and 90% of the epochs, batch 128 (TRADES's
   *       CIFAR recipe; AT and TRADES use PGD-10 l_inf 8/255 step 2/255, TRADES beta 6);
   *   <li>simclr, rocl: RoCL's public code: LARS (eta 0.001) mom 0.9 wd 1e-6, lr 0.2 warmed up x15 over 10
   *       epochs then cosine, batch 256; rocl lambda 256, PGD-7 l_inf 0.0314 step 0.007;
   *   <li>scl: SGD lr 0.5 mom 0.9 wd 1e-4 cosine, batch 512 (SupCon's CIFAR recipe scaled to 512);
   *   <li>upat: SGD mom 0.9 wd 1e-3, batch 256, lambda 1/256, eps 0.03 step 2/256; the paper gives no
   *       learning rate: 0.1 with cosine decay;
   *   <li>ascl: SGD lr 0.1 mom 0.9 wd 2e-4, x0.1 at 60% and 80%, batch 512, lambda1 0.5, lambda2 0.2;
   *   <li>acl: ACL(DS)'s public code: LARS mom 0.9 wd 1e-6, lr 5.0 warmed up from 0 over 10 epochs then
   *       cosine to 1e-6, batch 512, PGD-5 l_inf 8/255 step 2/255; separate BN when the network has dual BN;
   *   <li>rush: SGD lr 0.5 mom 0.9 wd 1e-4 cosine to 0.001, batch 512, Q = U(-0.3, 0.3) unless given.
   * </ul>
   *
   * @param augmentation T (used by the contrastive methods; the supervised ones use {@code supervisedAugmentation})
   * @param supervisedAugmentation augmentation of ce/at/trades batches, null for none
   * @param noise RUSH's Q; null selects U(-0.3, 0.3)
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static PretrainingRecipe paper(
      String name,
      Network network,
      int epochs,
      ImageTransform augmentation,
      @Nullable ImageTransform supervisedAugmentation,
      @Nullable ImageTransform noise) {
    LearningRateSchedule supervisedSchedule = MultiStepSchedule.atFractions(0.1, epochs, 0.1, 0.75, 0.9);
    SgdSettings supervisedSgd = SgdSettings.sgd(0.9, 2e-4);
    LearningRateSchedule roclSchedule = WarmupSchedule.rocl(0.2, 15, 10, epochs);
    SgdSettings roclSgd = SgdSettings.lars(0.9, 1e-6);
    return switch (name) {
      case "ce" -> new PretrainingRecipe(name,
          new SupervisedTraining(network, supervisedAugmentation, SupervisedTraining.Settings.ce()), supervisedSgd, supervisedSchedule, 128);
      case "at" -> new PretrainingRecipe(name,
          new SupervisedTraining(network, supervisedAugmentation, SupervisedTraining.Settings.at()), supervisedSgd, supervisedSchedule, 128);
      case "trades" -> new PretrainingRecipe(name,
          new SupervisedTraining(network, supervisedAugmentation, SupervisedTraining.Settings.trades()), supervisedSgd, supervisedSchedule, 128);
      case "simclr" -> new PretrainingRecipe(name,
          new ContrastiveTraining(network, augmentation, null, ContrastiveTraining.Settings.simclr()), roclSgd, roclSchedule, 256);
      case "scl" -> new PretrainingRecipe(name,
          new ContrastiveTraining(network, augmentation, null, ContrastiveTraining.Settings.scl()), SgdSettings.sgd(0.9, 1e-4),
          CosineSchedule.perEpoch(0.5, 0, epochs), 512);
      case "rocl" -> new PretrainingRecipe(name,
          new RoclTraining(network, augmentation, RoclTraining.Settings.paper()), roclSgd, roclSchedule, 256);
      case "upat" -> new PretrainingRecipe(name,
          new UpatTraining(network, augmentation, UpatTraining.Settings.paper()), SgdSettings.sgd(0.9, 1e-3),
          CosineSchedule.perEpoch(0.1, 0, epochs), 256);
      case "ascl" -> new PretrainingRecipe(name,
          new AsclTraining(network, augmentation, AsclTraining.Settings.paper()), SgdSettings.sgd(0.9, 2e-4),
          MultiStepSchedule.atFractions(0.1, epochs, 0.1, 0.6, 0.8), 512);
      case "acl" -> new PretrainingRecipe(name,
          new AclTraining(network, augmentation, new AclTraining.Settings(AclTraining.Settings.paper().attack(), 0.5,
              network.spec().encoder().dualBn())), SgdSettings.lars(0.9, 1e-6),
          new WarmupSchedule(5.0, 1, 10, CosineSchedule.perEpoch(5.0, 1e-6, Math.max(1, epochs - 10))), 512);
      case "rush" -> new PretrainingRecipe(name,
          new ContrastiveTraining(network, augmentation, noise == null ? new io.robustcl.ml.data.UniformNoise() : noise,
              ContrastiveTraining.Settings.rush()),
          SgdSettings.sgd(0.9, 1e-4), CosineSchedule.perEpoch(0.5, 0.001, epochs), 512);
      default -> throw new IllegalArgumentException("unknown pre-training method '" + name + "'; known: " + METHODS);
    };
  }
}
