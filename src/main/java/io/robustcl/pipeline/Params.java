package io.robustcl.pipeline;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import java.util.List;
import java.util.Map;

/**
 * A stage's resolved params: an immutable, key-sorted map whose values are in the normal
 * form of {@link ParamType} ({@code String}, {@code Long}, {@code Double}, {@code Boolean},
 * or an immutable {@code List} of those).
 *
 * <p>{@code MAP} values are {@code ImmutableSortedMap<String, Object>} whose values are
 * again in normal form, nested freely.
 *
 * <p>Typed getters throw {@link IllegalArgumentException} naming the param when it is
 * absent or of another type; {@link #getDouble} also accepts an integer value.
 */
public final class Params {

  private static final Params EMPTY = new Params(ImmutableSortedMap.of());

  private final ImmutableSortedMap<String, Object> values;

  private Params(ImmutableSortedMap<String, Object> values) {
    this.values = values;
  }

  public static Params empty() {
    return EMPTY;
  }

  /**
   * Params holding {@code values}. Values must already be in normal form: lists and maps are
   * copied to immutable (sorted) collections, anything else that is not a {@code String},
   * {@code Long}, {@code Double} or {@code Boolean} is rejected.
   */
  public static Params of(Map<String, ?> values) {
    ImmutableSortedMap.Builder<String, Object> builder = ImmutableSortedMap.naturalOrder();
    values.forEach((name, value) -> builder.put(name, normalForm(name, value)));
    return new Params(builder.build());
  }

  private static Object normalForm(String name, Object value) {
    if (value instanceof List<?> list) {
      ImmutableList.Builder<Object> out = ImmutableList.builder();
      for (Object element : list) {
        out.add(normalForm(name, element));
      }
      return out.build();
    }
    if (value instanceof Map<?, ?> map) {
      ImmutableSortedMap.Builder<String, Object> out = ImmutableSortedMap.naturalOrder();
      map.forEach((k, v) -> {
        if (!(k instanceof String key)) {
          throw new IllegalArgumentException("param '" + name + "': map key " + k + " is not a string");
        }
        out.put(key, normalForm(name + "." + key, v));
      });
      return out.build();
    }
    if (value instanceof String || value instanceof Long || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Double d) {
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("param '" + name + "': " + d + " is not a finite number");
      }
      return d == 0.0 ? 0.0 : d; // -0.0 and 0.0 must hash alike
    }
    throw new IllegalArgumentException(
        "param '" + name + "': value " + value + " of type " + value.getClass().getSimpleName()
            + " is not in normal form (String, Long, Double, Boolean, List or Map)");
  }

  /** The values, sorted by name. */
  public ImmutableSortedMap<String, Object> asMap() {
    return values;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Object get(String name) {
    Object value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no param '" + name + "'; params are " + values.keySet());
    }
    return value;
  }

  public String getString(String name) {
    return typed(name, String.class);
  }

  public long getLong(String name) {
    return typed(name, Long.class);
  }

  /** The value of an {@code INT} param as an int; throws if it does not fit. */
  public int getInt(String name) {
    return Math.toIntExact(getLong(name));
  }

  public double getDouble(String name) {
    Object value = get(name);
    if (value instanceof Long l) {
      return l;
    }
    return typed(name, Double.class);
  }

  public boolean getBool(String name) {
    return typed(name, Boolean.class);
  }

  @SuppressWarnings("unchecked")
  public List<String> getStringList(String name) {
    return (List<String>) typed(name, List.class);
  }

  @SuppressWarnings("unchecked")
  public List<Long> getLongList(String name) {
    return (List<Long>) typed(name, List.class);
  }

  /** A list of numbers as doubles (integer elements are widened). */
  public List<Double> getDoubleList(String name) {
    List<?> list = typed(name, List.class);
    ImmutableList.Builder<Double> out = ImmutableList.builder();
    for (Object element : list) {
      out.add(((Number) element).doubleValue());
    }
    return out.build();
  }

  /** The value of a {@code MAP} param. */
  @SuppressWarnings("unchecked")
  public ImmutableSortedMap<String, Object> getMap(String name) {
    return (ImmutableSortedMap<String, Object>) typed(name, ImmutableSortedMap.class);
  }

  /** A copy with {@code name} set to {@code value} (normal form required). */
  public Params with(String name, Object value) {
    java.util.TreeMap<String, Object> copy = new java.util.TreeMap<>(values);
    copy.put(name, value);
    return of(copy);
  }

  private <T> T typed(String name, Class<T> type) {
    Object value = get(name);
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          "param '" + name + "' is a " + value.getClass().getSimpleName() + " (" + value + "), not a "
              + type.getSimpleName());
    }
    return type.cast(value);
  }

  @Override
  public boolean equals(@org.jspecify.annotations.Nullable Object other) {
    return other instanceof Params p && p.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
