package io.robustcl.ml.loss;

import ai.djl.ndarray.NDArray;

/**
 * The robustness term of TRADES (Zhang et al., 2019, eq. 5):
 *
 * <pre>
 *   KL(softmax(l(f(x))) || softmax(l(f(x_adv)))) = sum_c p_c (log p_c - log q_c),
 *   p = softmax(clean logits), q = softmax(adversarial logits)
 * </pre>
 *
 * {@link #loss} is the sum over the batch divided by the batch size, as TRADES's reference code
 * does ({@code KLDivLoss(size_average=False) / batch_size}). Gradients flow through both
 * arguments; detach the clean logits ({@code stopGradient()}) where TRADES does, e.g. in its attack.
 */
public final class TradesKlLoss {

    /** @return scalar batch mean of the per-sample KL divergences */
    public NDArray loss(NDArray cleanLogits, NDArray adversarialLogits) {
        return perSample(cleanLogits, adversarialLogits).mean();
    }

    /** @return (N) per-sample KL(p || q), each >= 0 */
    public NDArray perSample(NDArray cleanLogits, NDArray adversarialLogits) {
        if (!cleanLogits.getShape().equals(adversarialLogits.getShape())
                || cleanLogits.getShape().dimension() != 2) {
            throw new IllegalArgumentException("TRADES KL: logits must both be (N, C), got "
                    + cleanLogits.getShape() + " and " + adversarialLogits.getShape());
        }
        NDArray logP = cleanLogits.logSoftmax(1);
        NDArray logQ = adversarialLogits.logSoftmax(1);
        return logP.exp().mul(logP.sub(logQ)).sum(new int[] {1});
    }
}
