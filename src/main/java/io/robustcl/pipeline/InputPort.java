package io.robustcl.pipeline;

import com.google.common.collect.ImmutableSet;

/**
 * An input a stage type declares.
 *
 * @param name the key under {@code inputs:} in the pipeline file
 * @param kinds the {@link Stage#outputKind()}s accepted; empty accepts any kind
 * @param list true if the port takes a list of artifacts (e.g. a table's sources)
 * @param required false if the port may be left unwired
 * @param doc one line, shown by {@code pipeline stages}
 */
public record InputPort(String name, ImmutableSet<String> kinds, boolean list, boolean required, String doc) {

  /** A required port that takes exactly one artifact of one of {@code kinds}. */
  public static InputPort one(String name, String doc, String... kinds) {
    return new InputPort(name, ImmutableSet.copyOf(kinds), false, true, doc);
  }

  /** A required port that takes one or more artifacts of one of {@code kinds}. */
  public static InputPort many(String name, String doc, String... kinds) {
    return new InputPort(name, ImmutableSet.copyOf(kinds), true, true, doc);
  }

  /** A copy that may be left unwired. */
  public InputPort optional() {
    return new InputPort(name, kinds, list, false, doc);
  }

  /** True if an artifact of {@code kind} may feed this port. */
  public boolean accepts(String kind) {
    return kinds.isEmpty() || kinds.contains(kind);
  }
}
