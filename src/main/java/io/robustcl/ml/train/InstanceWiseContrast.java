package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.attack.FrozenParameters;
import io.robustcl.ml.attack.InstanceWiseAttack;
import io.robustcl.ml.attack.PgdAttack;
import io.robustcl.ml.loss.NtXentLoss;
import io.robustcl.ml.model.Network;
import java.util.List;

/**
 * What RoCL and UPAT share: the instance-wise attack on z = g(f(.)) in inference mode, and NT-Xent on
 * training-mode embeddings.
 */
final class InstanceWiseContrast {
  private final Network network;
  private final InstanceWiseAttack attack;
  private final List<NDArray> parameterArrays;
  private final NtXentLoss ntXent;

  InstanceWiseContrast(String method, Network network, PgdAttack search, InstanceWiseAttack.Loss loss, double tau) {
    if (network.projector() == null) {
      throw new IllegalArgumentException("method " + method + " needs a network with a projector");
    }
    this.network = network;
    this.attack = new InstanceWiseAttack(search, loss, tau);
    this.parameterArrays = FrozenParameters.arraysOf(network.parameters());
    this.ntXent = new NtXentLoss(tau);
  }

  /** The attacked view, pushed away from {@code target}'s embedding (RoCL eq. 4, UPAT eq. 3). */
  NDArray perturb(ParameterStore ps, NDArray view, NDArray target, java.util.random.RandomGenerator random) {
    return attack.perturb(view, target, in -> network.projection(ps, in, false), parameterArrays, random);
  }

  /** Training-mode embeddings of stacked views. */
  NDArray embed(ParameterStore ps, NDArray stackedViews) {
    return network.projection(ps, stackedViews, true);
  }

  /** NT-Xent of view-major stacked embeddings. */
  NDArray ntXent(NDArray z, int views) {
    return ntXent.loss(z, views);
  }

  /** NT-Xent as {@link #ntXent(NDArray, int)}, its per-anchor terms reported to the step's checks. */
  NDArray ntXent(StepContext ctx, NDArray z, int views, String operation) {
    NDArray anchors = ctx.checked(StepChecks.Phase.LOSS, operation, ntXent.perAnchor(z, views));
    return ntXent.reduce(anchors);
  }
}
