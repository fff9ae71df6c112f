package io.robustcl.ml.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;

/** The bias-free convolutions of the ResNet papers' code. */
final class Convolutions {

  private Convolutions() {}

  /** 3x3 convolution, padding 1, no bias. */
  static Block conv3x3(int filters, int stride) {
    return Conv2d.builder()
        .setKernelShape(new Shape(3, 3))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(1, 1))
        .setFilters(filters)
        .optBias(false)
        .build();
  }

  /** 1x1 convolution, no padding, no bias. */
  static Block conv1x1(int filters, int stride) {
    return Conv2d.builder()
        .setKernelShape(new Shape(1, 1))
        .optStride(new Shape(stride, stride))
        .setFilters(filters)
        .optBias(false)
        .build();
  }
}
