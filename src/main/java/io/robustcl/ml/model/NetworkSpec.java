package io.robustcl.ml.model;

import java.util.List;

/**
 * Everything needed to rebuild a {@link Network}: encoder f, projector g dims, head l classes.
 *
 * @param encoder the ResNet encoder
 * @param projectorDims output sizes of the projector's linear layers (ReLU between them), e.g. [2048, 128];
 *     empty for no projector
 * @param classes outputs of the linear head; 0 for no head
 */
public record NetworkSpec(ResNetSpec encoder, List<Integer> projectorDims, int classes) {

  /** The projector of the papers: Linear d->2048, ReLU, Linear 2048->128. */
  public static final List<Integer> DEFAULT_PROJECTOR = List.of(2048, 128);

  public NetworkSpec {
    projectorDims = List.copyOf(projectorDims);
    if (projectorDims.stream().anyMatch(d -> d < 1)) {
      throw new IllegalArgumentException("projector dims must be positive, got " + projectorDims);
    }
    if (classes < 0) {
      throw new IllegalArgumentException("classes must be >= 0 (0 = no head), got " + classes);
    }
  }

  /** The feature dimension d of f(x). */
  public int featureDim() {
    return encoder.featureDim();
  }

  /** Whether there is a projector g. */
  public boolean hasProjector() {
    return !projectorDims.isEmpty();
  }

  /** Whether there is a linear head l. */
  public boolean hasHead() {
    return classes > 0;
  }

  /** This spec with a head of {@code n} classes (0 removes the head). */
  public NetworkSpec withClasses(int n) {
    return new NetworkSpec(encoder, projectorDims, n);
  }

  /** This spec with other projector dims (empty removes the projector). */
  public NetworkSpec withProjector(List<Integer> dims) {
    return new NetworkSpec(encoder, dims, classes);
  }
}
