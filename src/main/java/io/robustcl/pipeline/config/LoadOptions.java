package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableMap;
import org.jspecify.annotations.Nullable;

/**
 * Command-line choices that shape how a pipeline file resolves.
 *
 * @param profile the {@code --profile} name, or null for the file's {@code default_profile}
 *     (or none when the file has no default)
 * @param setVars {@code --set name=value} overrides of vars, in the order given; each value
 *     is read as a YAML scalar ({@code 3} is an int, {@code 8/255} a string that FLOAT params
 *     read as a fraction, {@code "3"} a string)
 */
public record LoadOptions(@Nullable String profile, ImmutableMap<String, String> setVars) {

  /** No profile chosen, no overrides. */
  public static LoadOptions defaults() {
    return new LoadOptions(null, ImmutableMap.of());
  }

  /** A copy with {@code profile} chosen. */
  public LoadOptions withProfile(@Nullable String profile) {
    return new LoadOptions(profile, setVars);
  }

  /** A copy with {@code name} set to the YAML scalar {@code value} (later calls win). */
  public LoadOptions withVar(String name, String value) {
    ImmutableMap.Builder<String, String> copy = ImmutableMap.builder();
    setVars.forEach((k, v) -> {
      if (!k.equals(name)) {
        copy.put(k, v);
      }
    });
    return new LoadOptions(profile, copy.put(name, value).buildOrThrow());
  }
}
