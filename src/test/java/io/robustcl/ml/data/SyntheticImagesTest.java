package io.robustcl.ml.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

class SyntheticImagesTest {
    @Test
    void sameSeedSameImagesOtherSeedOtherImagesBalancedLabelsAnySize() {
        ImageSet a = SyntheticImages.generate(50, 20, 28, 1);
        ImageSet b = SyntheticImages.generate(50, 20, 28, 1);
        ImageSet c = SyntheticImages.generate(50, 20, 28, 2);
        assertEquals(20, a.height());
        assertEquals(28, a.width());
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(a.imageAsFloats(i), b.imageAsFloats(i));
            assertFalse(Arrays.equals(a.imageAsFloats(i), c.imageAsFloats(i)), "image " + i);
        }
        assertArrayEquals(a.labels(), c.labels());
        int[] counts = new int[10];
        for (int label : a.labels()) {
            counts[label]++;
        }
        for (int k = 0; k < 10; k++) {
            assertEquals(5, counts[k]);
        }
        // a prefix of a larger set is the smaller set
        assertArrayEquals(a.imageAsFloats(7), SyntheticImages.generate(8, 20, 28, 1).imageAsFloats(7));
        // images use the range and are not flat
        float[] first = a.imageAsFloats(0);
        float min = 1;
        float max = 0;
        for (float v : first) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(max - min > 0.3f, "contrast " + (max - min));
    }

    @Test
    void aTinyCnnLearnsTheClassesWellAboveChance() {
        ImageSet train = SyntheticImages.generate(2000, 16, 0);
        ImageSet test = SyntheticImages.generate(1000, 16, 1);
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).build())
                .add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(Activation.reluBlock())
                .add(Pool.globalMaxPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(10).build());
        try (Model model = Model.newInstance("synthetic-check")) {
            model.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 16, 16));
                BatchLoader loader = new BatchLoader(train, 64, true, true, 0);
                NDManager manager = trainer.getManager();
                for (int epoch = 0; epoch < 4; epoch++) {
                    for (Iterator<Batch> it = loader.epoch(manager, epoch); it.hasNext(); ) {
                        try (NDManager sub = manager.newSubManager(); Batch batch = it.next()) {
                            batch.images().attach(sub);
                            batch.labels().attach(sub);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(batch.images())).singletonOrThrow();
                                NDArray loss = trainer.getLoss().evaluate(new NDList(batch.labels()), new NDList(logits));
                                gc.backward(loss);
                            }
                            trainer.step();
                        }
                    }
                }
                try (NDManager sub = manager.newSubManager()) {
                    NDArray x = test.images(sub);
                    NDArray predicted = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1);
                    // one host copy for the final accuracy
                    float accuracy = predicted.eq(test.labels(sub, ImageSet.range(test.size()))).toType(
                            ai.djl.ndarray.types.DataType.FLOAT32, false).mean().getFloat();
                    System.out.println("synthetic: tiny CNN test accuracy " + accuracy);
                    assertTrue(accuracy > 0.5f, "accuracy " + accuracy + " (chance is 0.1)");
                }
            }
        }
    }
}
