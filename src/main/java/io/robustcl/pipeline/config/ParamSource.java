package io.robustcl.pipeline.config;

import org.jspecify.annotations.Nullable;

/**
 * Where a stage's param value came from, for {@code plan --explain} and the loader's checks.
 *
 * @param origin the layer that set it
 * @param location where the value is written, or null for a stage type's declared default
 */
public record ParamSource(ParamOrigin origin, @Nullable Location location) {

  /** The value a stage type declares for a param nobody set. */
  public static final ParamSource TYPE_DEFAULT = new ParamSource(ParamOrigin.TYPE_DEFAULT, null);

  @Override
  public String toString() {
    return location == null ? origin.toString() : origin + " (" + location + ")";
  }
}
