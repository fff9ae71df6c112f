package io.robustcl.pipeline;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A param a stage type declares: name, type, default and doc, with optional constraints
 * that the config layer checks before anything runs.
 *
 * <p>Build with the static factories and the {@code with...} methods, e.g.
 * {@code ParamSpec.floating("eps", 8 / 255.0, "l_inf radius").atLeast(0)}.
 *
 * @param name the key in the pipeline file
 * @param type the value's type
 * @param defaultValue the value when the pipeline file gives none, already in the normal
 *     form of {@link ParamType}; {@code null} makes the param required
 * @param doc one line, shown by {@code pipeline stages}
 * @param choices for {@code STRING} params, the allowed values; empty means any
 * @param min inclusive lower bound for numbers (and each element of number lists), or null
 * @param max inclusive upper bound, or null
 */
public record ParamSpec(
    String name,
    ParamType type,
    @Nullable Object defaultValue,
    String doc,
    ImmutableList<String> choices,
    @Nullable Double min,
    @Nullable Double max) {

  public ParamSpec {
    if (!name.matches("[A-Za-z][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("bad param name '" + name + "'");
    }
  }

  public static ParamSpec string(String name, @Nullable String defaultValue, String doc) {
    return new ParamSpec(name, ParamType.STRING, defaultValue, doc, ImmutableList.of(), null, null);
  }

  public static ParamSpec integer(String name, @Nullable Long defaultValue, String doc) {
    return new ParamSpec(name, ParamType.INT, defaultValue, doc, ImmutableList.of(), null, null);
  }

  public static ParamSpec integer(String name, long defaultValue, String doc) {
    return integer(name, Long.valueOf(defaultValue), doc);
  }

  public static ParamSpec floating(String name, @Nullable Double defaultValue, String doc) {
    return new ParamSpec(name, ParamType.FLOAT, defaultValue, doc, ImmutableList.of(), null, null);
  }

  public static ParamSpec floating(String name, double defaultValue, String doc) {
    return floating(name, Double.valueOf(defaultValue), doc);
  }

  public static ParamSpec bool(String name, boolean defaultValue, String doc) {
    return new ParamSpec(name, ParamType.BOOL, defaultValue, doc, ImmutableList.of(), null, null);
  }

  public static ParamSpec list(String name, ParamType listType, @Nullable List<?> defaultValue, String doc) {
    if (listType.elementType() == null) {
      throw new IllegalArgumentException(listType + " is not a list type");
    }
    return new ParamSpec(
        name, listType, defaultValue == null ? null : ImmutableList.copyOf(defaultValue), doc,
        ImmutableList.of(), null, null);
  }

  /** A copy that only accepts the given string values. */
  public ParamSpec oneOf(String... allowed) {
    return new ParamSpec(name, type, defaultValue, doc, ImmutableList.copyOf(allowed), min, max);
  }

  /** A copy with an inclusive lower bound. */
  public ParamSpec atLeast(double bound) {
    return new ParamSpec(name, type, defaultValue, doc, choices, bound, max);
  }

  /** A copy with an inclusive upper bound. */
  public ParamSpec atMost(double bound) {
    return new ParamSpec(name, type, defaultValue, doc, choices, min, bound);
  }

  /** True if the pipeline file must give a value. */
  public boolean required() {
    return defaultValue == null;
  }
}
