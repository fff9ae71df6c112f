/**
 * Models of the papers as DJL blocks: the CIFAR-stem {@link io.robustcl.ml.model.ResNet} encoder f
 * (18/34/50, width-scalable, optional dual batch norm and input normalisation), the
 * {@link io.robustcl.ml.model.Projector} g, the {@link io.robustcl.ml.model.LinearHead} l, and
 * {@link io.robustcl.ml.model.Network} joining them, rebuilt from a {@link io.robustcl.ml.model.NetworkSpec}
 * and saved in a versioned {@link io.robustcl.ml.model.NetworkFile}.
 *
 * <p><b>Native memory pattern.</b> Parameters live on the manager given at creation (normally
 * {@code ComputeScope.manager()}). DJL attaches every op result to its input's manager, so a training or
 * attack step runs as
 * <pre>{@code
 * try (NDManager step = scope.manager().newSubManager()) {
 *   NDArray x = batch.images();            // created on (or attached to) `step`
 *   try (GradientCollector gc = engine.newGradientCollector()) { gc.backward(loss(net.projection(ps, x, true))); }
 *   for (Parameter p : net.trainableParameters()) {
 *     NDArray g = p.getArray().getGradient(); // a NEW handle on the parameter's manager each call
 *     g.attach(step);                         // so it dies with the step, not with the model
 *     ... update p.getArray() in place ..., then zero g in place
 *   }
 * }                                          // every temporary of the step is freed here
 * }</pre>
 * {@code NativeMemoryTest} checks that 200 such steps keep the array count under the scope's manager flat.
 */
@NullMarked
package io.robustcl.ml.model;

import org.jspecify.annotations.NullMarked;
