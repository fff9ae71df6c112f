package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import org.jspecify.annotations.Nullable;

/**
 * What an attack maximises: per-sample losses of a batch of candidate inputs, computed with the
 * model in inference mode ({@code training = false}, so batch-norm uses and keeps its running
 * statistics). Independent of any concrete network class: an objective is usually a lambda over
 * {@code network.logits(store, x, false)} or {@code network.projection(store, x, false)}.
 *
 * <p>Contract: {@link #losses} is differentiable with respect to its input, returns shape (N) for
 * an input of N samples, and creates its temporaries from the input (so they land in the
 * attack's per-step sub-manager: keep operands derived from the input first, e.g.
 * {@code logits.mul(oneHot)}, not {@code oneHot.mul(logits)}). Arrays it captures (labels,
 * target embeddings) must not require gradients.
 */
public interface AttackObjective {

    /** @return per-sample losses (N) to maximise */
    NDArray losses(NDArray input);

    /**
     * Whether each candidate already fools the model (boolean (N)), used to keep the worst case
     * over restarts: a fooling candidate beats a non-fooling one, ties go to the higher loss.
     * The default, {@code null}, means "not defined": restarts then compare losses only.
     */
    default @Nullable NDArray fooled(NDArray input) {
        return null;
    }
}
