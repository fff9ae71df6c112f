package io.robustcl.ml.train;

import io.robustcl.ml.data.Batch;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** Test fixture: a 2-layer MLP with batch norm on 3-class Gaussian clusters in 8 dimensions. */
final class TinyClassifier {
  static final int FEATURES = 8;
  static final int CLASSES = 3;

  final SequentialBlock block;
  final ModelParameters parameters;

  TinyClassifier(NDManager manager, int seed) {
    Engine.getInstance().setRandomSeed(seed);
    block = new SequentialBlock()
        .add(Linear.builder().setUnits(16).build())
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(CLASSES).build());
    block.initialize(manager, DataType.FLOAT32, new Shape(4, FEATURES));
    parameters = ModelParameters.of(block.getParameters());
  }

  NDArray logits(ParameterStore store, NDArray x, boolean training) {
    return block.forward(store, new NDList(x), training).singletonOrThrow();
  }

  TrainingMethod crossEntropy() {
    SoftmaxCrossEntropyLoss ce = new SoftmaxCrossEntropyLoss("ce");
    return (ctx, batch) -> () -> ce.evaluate(new NDList(batch.labels()), new NDList(logits(ctx.parameters(), batch.images(), true)));
  }

  /** Points around class centres (+-2 on one axis per class) with unit noise. */
  static final class Clusters implements BatchSource {
    final float[][] points;
    final int[] labels;
    final int batch;

    Clusters(int count, int batch, long seed) {
      this.batch = batch;
      SplittableRandom r = new SplittableRandom(seed);
      points = new float[count][FEATURES];
      labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = i % CLASSES;
        for (int d = 0; d < FEATURES; d++) {
          points[i][d] = (float) (r.nextGaussian() + (d == labels[i] ? 2.0 : 0.0));
        }
      }
    }

    @Override
    public int batchesPerEpoch() {
      return points.length / batch;
    }

    @Override
    public EpochBatches epoch(int epoch, RandomGenerator random) {
      int[] order = new int[points.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      return new EpochBatches() {
        int next;

        @Override
        public boolean hasNext() {
          return next + batch <= order.length;
        }

        @Override
        public Batch next(NDManager manager) {
          float[] x = new float[batch * FEATURES];
          int[] y = new int[batch];
          int[] indices = new int[batch];
          for (int b = 0; b < batch; b++) {
            int i = order[next + b];
            System.arraycopy(points[i], 0, x, b * FEATURES, FEATURES);
            y[b] = labels[i];
            indices[b] = i;
          }
          next += batch;
          return new Batch(manager.create(x, new Shape(batch, FEATURES)), manager.create(y), indices);
        }
      };
    }
  }
}
