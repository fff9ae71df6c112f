package io.robustcl.pipeline;

import java.util.List;

/**
 * The type of a declared param, and the Java type its resolved value has in {@link Params}.
 *
 * <p>Numbers are normalised when resolved: an {@code INT} is always a {@link Long}, a
 * {@code FLOAT} always a finite {@link Double} (so {@code 8/255}, {@code 0.0313725...} and
 * {@code 8 / 255} resolve to the same value), lists are immutable {@link List}s of those.
 */
public enum ParamType {
  STRING(String.class),
  INT(Long.class),
  FLOAT(Double.class),
  BOOL(Boolean.class),
  STRING_LIST(List.class),
  INT_LIST(List.class),
  FLOAT_LIST(List.class),
  /**
   * A YAML mapping with string keys whose values are any of the normal forms above, maps and
   * lists nested freely (e.g. a table's layout and the paper's numbers); keys sorted.
   */
  MAP(java.util.SortedMap.class),
  /**
   * A YAML sequence whose items are any of the normal forms above, maps and lists nested
   * freely (e.g. a table's claims); order kept.
   */
  LIST(List.class);

  private final Class<?> javaType;

  ParamType(Class<?> javaType) {
    this.javaType = javaType;
  }

  /** The Java type of a resolved value: {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code List} or {@code SortedMap}. */
  public Class<?> javaType() {
    return javaType;
  }

  /** The element type of a list type, or {@code null} for scalar types. */
  public @org.jspecify.annotations.Nullable ParamType elementType() {
    return switch (this) {
      case STRING_LIST -> STRING;
      case INT_LIST -> INT;
      case FLOAT_LIST -> FLOAT;
      default -> null;
    };
  }

  /** How the type is spelled in docs and errors, e.g. {@code "float"} or {@code "list of int"}. */
  public String displayName() {
    ParamType element = elementType();
    return element == null ? name().toLowerCase() : "list of " + element.displayName();
  }
}
