package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine bound for {@link ResNetThroughputBenchmark}: ResNet-18 (CIFAR stem) as direct DJL native
 * calls on raw arrays (static conv2d / batchNorm / relu), with no Block, ParameterStore or NDList
 * plumbing. Benchmark-only; weights are random normal (values do not matter for timing).
 */
final class BareResNet18 {

  private final List<NDArray> params = new ArrayList<>();
  private final int width;
  private int cursor;

  BareResNet18(NDManager manager, int width) {
    this.width = width;
    conv(manager, width, 3, 3);
    bn(manager, width);
    int in = width;
    for (int s = 0; s < 4; s++) {
      int planes = width << s;
      for (int b = 0; b < 2; b++) {
        conv(manager, planes, in, 3);
        bn(manager, planes);
        conv(manager, planes, planes, 3);
        bn(manager, planes);
        if (in != planes) {
          conv(manager, planes, in, 1);
          bn(manager, planes);
        }
        in = planes;
      }
    }
  }

  /** The arrays that take gradients. */
  List<NDArray> weights() {
    List<NDArray> out = new ArrayList<>();
    for (NDArray a : params) {
      if (a.hasGradient()) {
        out.add(a);
      }
    }
    return out;
  }

  NDArray forward(NDArray x) {
    cursor = 0;
    NDArray out = Activation.relu(norm(conv(x, 1, 1)));
    int in = width;
    for (int s = 0; s < 4; s++) {
      int planes = width << s;
      for (int b = 0; b < 2; b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        NDArray y = Activation.relu(norm(conv(out, stride, 1)));
        y = norm(conv(y, 1, 1));
        NDArray shortcut = in != planes ? norm(conv(out, stride, 0)) : out;
        out = Activation.relu(y.add(shortcut));
        in = planes;
      }
    }
    Shape s = out.getShape();
    return Pool.globalAvgPool2d(out).reshape(s.get(0), s.get(1));
  }

  private NDArray conv(NDArray x, int stride, int pad) {
    NDArray w = params.get(cursor++);
    return Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1)
        .singletonOrThrow();
  }

  private NDArray norm(NDArray x) {
    NDArray gamma = params.get(cursor++);
    NDArray beta = params.get(cursor++);
    NDArray mean = params.get(cursor++);
    NDArray var = params.get(cursor++);
    return BatchNorm.batchNorm(x, mean, var, gamma, beta, 1, 0.9f, 1e-5f, true).singletonOrThrow();
  }

  private void conv(NDManager m, int out, int in, int k) {
    NDArray w = m.randomNormal(0, 0.05f, new Shape(out, in, k, k), ai.djl.ndarray.types.DataType.FLOAT32);
    w.setRequiresGradient(true);
    params.add(w);
  }

  private void bn(NDManager m, int c) {
    NDArray gamma = m.ones(new Shape(c));
    gamma.setRequiresGradient(true);
    NDArray beta = m.zeros(new Shape(c));
    beta.setRequiresGradient(true);
    params.add(gamma);
    params.add(beta);
    params.add(m.zeros(new Shape(c)));
    params.add(m.ones(new Shape(c)));
  }
}
