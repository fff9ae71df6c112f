package io.robustcl.pipeline.config;

import org.jspecify.annotations.Nullable;

/**
 * Where a stage's param value came from, for {@code plan --explain}.
 *
 * @param origin {@code stage}, {@code defaults <type>}, {@code defaults preset/<name>},
 *     {@code preset <name>} or {@code stage type default}
 * @param location where the value is written, or null for a stage type's declared default
 */
public record ParamSource(String origin, @Nullable Location location) {

  /** The value a stage type declares for a param nobody set. */
  public static final ParamSource TYPE_DEFAULT = new ParamSource("stage type default", null);

  @Override
  public String toString() {
    return location == null ? origin : origin + " (" + location + ")";
  }
}
