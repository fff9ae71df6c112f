package io.robustcl.ml.loss;

import ai.djl.ndarray.NDArray;

/**
 * Softmax cross-entropy from logits: {@code CE(l, y) = -log softmax(l)_y = -(l_y - logsumexp(l))},
 * numerically stable through log-softmax. {@link #loss} is the batch mean (the CE term of
 * Madry AT, RoCL eq. 1-2, TRADES); {@link #perSample} is what attacks maximise.
 */
public final class CrossEntropyLoss {

    /** @return the mean over the batch of the per-sample cross-entropy */
    public NDArray loss(NDArray logits, NDArray labels) {
        return perSample(logits, labels).mean();
    }

    /**
     * @param logits (N, C)
     * @param labels (N) integer classes in [0, C)
     * @return (N) per-sample cross-entropy
     */
    public NDArray perSample(NDArray logits, NDArray labels) {
        if (logits.getShape().dimension() != 2) {
            throw new IllegalArgumentException("cross-entropy: logits must be (N, C), got " + logits.getShape());
        }
        long n = logits.getShape().get(0);
        int classes = (int) logits.getShape().get(1);
        NDArray y = ContrastiveLogProbabilities.asLongVector(labels, n, "cross-entropy")
                .toDevice(logits.getDevice(), false);
        NDArray oneHot = y.oneHot(classes).toType(logits.getDataType(), false);
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
    }
}
