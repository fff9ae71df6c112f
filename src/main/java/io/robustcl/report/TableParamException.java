package io.robustcl.report;

/**
 * A malformed {@code layout} or {@code claims} param of a table. The message starts with the
 * param path of the offending entry ({@code claims[1].condition: ...}), so the pipeline
 * loader can point at its line, and says how to fix it.
 */
public final class TableParamException extends IllegalArgumentException {
  TableParamException(String message) {
    super(message);
  }
}
