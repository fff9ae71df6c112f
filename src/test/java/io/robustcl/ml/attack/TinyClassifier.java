package io.robustcl.ml.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.loss.CrossEntropyLoss;
import java.util.List;
import java.util.Random;

/**
 * A small MLP with batch norm trained a few steps on a generated, linearly separable 2-class
 * problem of 1x4x4 "images": class 1 is brighter in the first half of the pixels, class 0 in the
 * second half, by a margin of 0.15.
 */
final class TinyClassifier {

    final SequentialBlock block;
    final ParameterStore store;
    final NDArray images;
    final NDArray labels;

    TinyClassifier(NDManager manager, int samples, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Random random = new Random(seed);
        float[] pixels = new float[samples * 16];
        int[] y = new int[samples];
        for (int i = 0; i < samples; i++) {
            y[i] = random.nextInt(2);
            float shift = y[i] == 1 ? 0.15f : -0.15f;
            for (int k = 0; k < 16; k++) {
                float base = 0.25f + 0.5f * random.nextFloat();
                pixels[i * 16 + k] = Math.min(1f, Math.max(0f, base + (k < 8 ? shift : -shift)));
            }
        }
        images = manager.create(pixels, new Shape(samples, 1, 4, 4));
        labels = manager.create(y);
        block = new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(16).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(2).build());
        block.initialize(manager, DataType.FLOAT32, new Shape(samples, 1, 4, 4));
        store = new ParameterStore(manager, false);
        train(manager, 150, 0.5f);
    }

    private void train(NDManager manager, int steps, float lr) {
        List<NDArray> parameters = FrozenParameters.arraysOf(block);
        for (int s = 0; s < steps; s++) {
            try (NDManager step = manager.newSubManager()) {
                images.tempAttach(step);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray out = block.forward(store, new NDList(images), true).singletonOrThrow();
                    collector.backward(new CrossEntropyLoss().loss(out, labels));
                }
                for (NDArray p : parameters) {
                    if (p.hasGradient()) {
                        NDArray g = p.getGradient();
                        p.subi(g.mul(lr));
                        g.subi(g);
                    }
                }
            }
        }
    }

    NDArray logits(NDArray x) {
        return block.forward(store, new NDList(x), false).singletonOrThrow();
    }

    List<NDArray> parameters() {
        return FrozenParameters.arraysOf(block);
    }

    ClassificationObjective objective() {
        return new ClassificationObjective(this::logits, labels, 2);
    }

    double accuracy(NDArray x) {
        return RobustAccuracy.of(logits(x), labels).accuracy();
    }

    double meanLoss(NDArray x) {
        return new CrossEntropyLoss().loss(logits(x), labels).getFloat();
    }
}
