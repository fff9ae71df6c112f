package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.TreeSet;

/**
 * The {@link StepChecks} of a forensic re-run: each call reads the values' finiteness to the host (a
 * sync per call, which is why ordinary steps do not run these) and throws {@link NonFiniteStepException}
 * naming the phase, the operation and the training-set indices of the images whose rows hold a NaN or an
 * infinity.
 */
final class FinitenessChecks implements StepChecks {
  private final int[] batchIndices;

  /** @param batchIndices the training-set index of each batch image, in batch order */
  FinitenessChecks(int[] batchIndices) {
    this.batchIndices = batchIndices.clone();
  }

  @Override
  public void after(Phase phase, String operation, NDArray values) {
    StepDiagnosis found = inspect(phase, operation, values);
    if (found != null) {
      throw new NonFiniteStepException(found);
    }
  }

  /** The diagnosis if {@code values} holds a NaN or an infinity, else null. */
  StepDiagnosis inspect(Phase phase, String operation, NDArray values) {
    if (!values.getDataType().isFloating()) {
      return null;
    }
    try (NDManager scope = values.getManager().newSubManager()) {
      values.tempAttach(scope);
      long rows = values.getShape().dimension() == 0 ? 1 : values.getShape().get(0);
      NDArray flat = values.reshape(rows, -1);
      NDArray nan = flat.isNaN();
      NDArray inf = flat.isInfinite();
      float[] badPerRow = nan.logicalOr(inf).toType(DataType.FLOAT32, false).sum(new int[] {1}).toFloatArray();
      long nans = (long) nan.toType(DataType.FLOAT32, false).sum().getFloat();
      long infs = (long) inf.toType(DataType.FLOAT32, false).sum().getFloat();
      if (nans == 0 && infs == 0) {
        return null;
      }
      TreeSet<Integer> images = new TreeSet<>();
      boolean perImage = values.getShape().dimension() > 0 && batchIndices.length > 0 && rows % batchIndices.length == 0;
      for (int r = 0; r < badPerRow.length && perImage; r++) {
        if (badPerRow[r] > 0) {
          images.add(batchIndices[r % batchIndices.length]);
        }
      }
      String detail = describeCounts(nans, infs, values.getShape().size());
      return new StepDiagnosis(phase, operation, images.stream().mapToInt(Integer::intValue).toArray(), detail);
    }
  }

  private static String describeCounts(long nans, long infs, long total) {
    StringBuilder out = new StringBuilder();
    if (nans > 0) {
      out.append(nans).append(" NaN");
    }
    if (infs > 0) {
      out.append(out.length() > 0 ? " and " : "").append(infs).append(" infinite");
    }
    return out.append(" of ").append(total).append(" values").toString();
  }
}
