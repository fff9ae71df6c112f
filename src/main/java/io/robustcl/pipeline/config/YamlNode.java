package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A checked YAML value with the location it came from: only core-schema tags, string keys,
 * no duplicate keys, aliases already expanded (within bounds).
 */
sealed interface YamlNode {

  Location location();

  /** How the value is described in errors, e.g. {@code "the string 'abc'"} or {@code "a list"}. */
  String describe();

  /**
   * A scalar.
   *
   * @param text the scalar's text as written (quotes removed)
   * @param tag its resolved tag ({@code str}, {@code int}, {@code float}, {@code bool} or {@code null})
   * @param plain true if written without quotes (so its tag was resolved from the text)
   */
  record Scalar(String text, Tag tag, boolean plain, Location location) implements YamlNode {
    @Override
    public String describe() {
      if (tag.equals(Tag.NULL)) {
        return "null (no value)";
      }
      if (tag.equals(Tag.STR)) {
        return "the string '" + text + "'";
      }
      String kind = tag.equals(Tag.INT) ? "int" : tag.equals(Tag.FLOAT) ? "float" : "bool";
      return "the " + kind + " " + text;
    }

    boolean isNull() {
      return tag.equals(Tag.NULL);
    }
  }

  /** A sequence. */
  record Sequence(ImmutableList<YamlNode> items, Location location) implements YamlNode {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A mapping with string keys, in file order. */
  record Mapping(ImmutableMap<String, Entry> entries, Location location) implements YamlNode {
    @Override
    public String describe() {
      return "a mapping";
    }

    @org.jspecify.annotations.Nullable YamlNode get(String key) {
      Entry entry = entries.get(key);
      return entry == null ? null : entry.value();
    }
  }

  /** One key of a mapping: where the key is written, and its value. */
  record Entry(String key, Location keyLocation, YamlNode value) {}
}
