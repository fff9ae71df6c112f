package io.robustcl.ml.train;

/** Argument checks shared by the schedules. */
final class Schedules {
  private Schedules() {}

  static void requireRate(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
    }
  }
}
