package io.robustcl.ml.train;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where a forensic re-run of a step first met a NaN or an infinity.
 *
 * @param phase the first phase whose output was not finite
 * @param operation the operation of that phase (e.g. {@code SimClrAugmentation view t(x)},
 *     {@code gradient of encoder_stem_conv_weight})
 * @param images indices in the training set of the images whose rows were not finite, ascending; empty
 *     when the values are not per image (a scalar loss, gradients, parameters)
 * @param detail what kind of value was found (NaN, +Inf, -Inf) and how many of them
 */
public record StepDiagnosis(StepChecks.Phase phase, String operation, int[] images, String detail) {
  /** At most this many image indices are written into a message. */
  private static final int LISTED = 12;

  public StepDiagnosis {
    images = images.clone();
  }

  @Override
  public int[] images() {
    return images.clone();
  }

  /** One line: phase, operation, what was found, and the images. */
  public String describe() {
    StringBuilder out = new StringBuilder("phase '").append(phase.label()).append("', ").append(operation)
        .append(": ").append(detail);
    if (images.length > 0) {
      out.append("; training-set images ").append(Arrays.stream(images).limit(LISTED).mapToObj(Integer::toString)
          .collect(Collectors.joining(", ")));
      if (images.length > LISTED) {
        out.append(" and ").append(images.length - LISTED).append(" more");
      }
    }
    return out.toString();
  }
}
