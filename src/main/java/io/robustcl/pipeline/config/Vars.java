package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Resolved vars and {@code ${name}} substitution. A scalar that is exactly {@code ${x}}
 * (quoted or not) becomes x's value with x's type, even a list or mapping; {@code ${x}}
 * inside a longer scalar is replaced by x's text, and an unquoted result is then typed
 * like any unquoted YAML scalar.
 *
 * <p>Bounded against expansion bombs (a 1 MB var referenced 20,000 times once ended in an
 * {@code OutOfMemoryError} after 48 s): one substituted scalar may hold at most
 * {@value #MAX_SCALAR_CHARS} characters, and one load may expand at most
 * {@value #MAX_EXPANDED} units in all (a character pasted into text, or a character or node
 * of a value used whole). Past either bound the reference is a problem at its location and
 * expands to nothing.
 */
final class Vars {

  static final int MAX_SCALAR_CHARS = 64 * 1024;
  static final long MAX_EXPANDED = 8L << 20;

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");

  private final ImmutableMap<String, YamlNode> values;
  private final SafeYamlReader reader;
  private final Problems problems;
  private final java.util.IdentityHashMap<YamlNode, Long> sizes = new java.util.IdentityHashMap<>();
  private long expanded;
  private boolean budgetReported;

  Vars(Map<String, YamlNode> values, SafeYamlReader reader, Problems problems) {
    this.values = ImmutableMap.copyOf(values);
    this.reader = reader;
    this.problems = problems;
  }

  ImmutableMap<String, YamlNode> values() {
    return values;
  }

  /** {@code node} with every {@code ${name}} replaced; unknown names are problems naming {@code where}. */
  YamlNode substitute(YamlNode node, String where) {
    if (node instanceof YamlNode.Sequence sequence) {
      return new YamlNode.Sequence(
          sequence.items().stream().map(item -> substitute(item, where)).collect(ImmutableList.toImmutableList()),
          sequence.location());
    }
    if (node instanceof YamlNode.Mapping mapping) {
      Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
      mapping.entries().forEach((key, entry) ->
          entries.put(key, new YamlNode.Entry(key, entry.keyLocation(), substitute(entry.value(), where))));
      return new YamlNode.Mapping(ImmutableMap.copyOf(entries), mapping.location());
    }
    YamlNode.Scalar scalar = (YamlNode.Scalar) node;
    if (!scalar.tag().equals(Tag.STR) || !scalar.text().contains("${")) {
      return scalar;
    }
    Matcher whole = REFERENCE.matcher(scalar.text());
    if (whole.matches()) {
      YamlNode value = lookup(whole.group(1), scalar.location(), where);
      if (!spend(size(value), scalar.location(), where)) {
        return new YamlNode.Scalar("", Tag.STR, false, scalar.location());
      }
      if (value instanceof YamlNode.Scalar s) {
        // The value keeps its own type but is reported where it is used.
        return new YamlNode.Scalar(s.text(), s.tag(), s.plain(), scalar.location());
      }
      return value;
    }
    StringBuilder text = new StringBuilder();
    Matcher matcher = REFERENCE.matcher(scalar.text());
    while (matcher.find()) {
      YamlNode value = lookup(matcher.group(1), scalar.location(), where);
      String replacement = "";
      if (value instanceof YamlNode.Scalar s && !s.isNull()) {
        replacement = s.text();
        if (text.length() + replacement.length() > MAX_SCALAR_CHARS) {
          problems.add(scalar.location(), where + ": substituting var '" + matcher.group(1) + "' makes a value of more than "
              + MAX_SCALAR_CHARS + " characters; keep long values out of vars or shorten them");
          return new YamlNode.Scalar("", Tag.STR, false, scalar.location());
        }
        if (!spend(replacement.length(), scalar.location(), where)) {
          return new YamlNode.Scalar("", Tag.STR, false, scalar.location());
        }
      } else if (!(value instanceof YamlNode.Scalar)) {
        problems.add(scalar.location(), where + ": var '" + matcher.group(1) + "' is " + value.describe()
            + ", which cannot be pasted into text; use it as the whole value: \"${" + matcher.group(1) + "}\"");
      }
      matcher.appendReplacement(text, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(text);
    String result = text.toString();
    Tag tag = scalar.plain() ? reader.resolvePlain(result) : Tag.STR;
    return new YamlNode.Scalar(result, tag, scalar.plain(), scalar.location());
  }

  /** Charges {@code units} to the load's expansion budget; false (reported once) when it is spent. */
  private boolean spend(long units, Location at, String where) {
    expanded += units;
    if (expanded <= MAX_EXPANDED) {
      return true;
    }
    if (!budgetReported) {
      budgetReported = true;
      problems.add(at, where + ": var references expand to more than " + MAX_EXPANDED
          + " characters and values in all (an expansion bomb?); reference large vars less often");
    }
    return false;
  }

  /** Characters plus nodes of {@code node}, computed once per node. */
  private long size(YamlNode node) {
    Long known = sizes.get(node);
    if (known != null) {
      return known;
    }
    long size = 1;
    if (node instanceof YamlNode.Scalar s) {
      size += s.text().length();
    } else if (node instanceof YamlNode.Sequence sequence) {
      for (YamlNode item : sequence.items()) {
        size += size(item);
      }
    } else if (node instanceof YamlNode.Mapping mapping) {
      for (YamlNode.Entry entry : mapping.entries().values()) {
        size += entry.key().length() + size(entry.value());
      }
    }
    sizes.put(node, size);
    return size;
  }

  private YamlNode lookup(String name, Location at, String where) {
    YamlNode value = values.get(name);
    if (value == null) {
      problems.add(at, where + ": unknown var '" + name + "'" + ClosestName.suggestion(name, values.keySet())
          + "; declare it under `vars:` (known vars: " + ClosestName.list(values.keySet())
          + ")");
      return new YamlNode.Scalar("", Tag.STR, false, at);
    }
    return value;
  }
}
