package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Expands a stage with {@code matrix:} into one stage per combination, as DVC's
 * {@code matrix} and Snakemake's {@code expand()} do.
 *
 * <pre>
 *   attack:
 *     matrix:
 *       source: [at, trades]          # axes: the product of their values ...
 *       eps: [8/255, 16/255]
 *       zip: {norm: [linf, l2], steps: [10, 20]}   # ... times these lists taken side by side
 *       exclude: [{source: trades, eps: 16/255}]   # minus the combinations matching one of these
 *     name: attack-${item.source}-${item.eps}      # optional; default attack@at-8-255-linf-10
 *     inputs: {model: "pretrain-${item.source}"}
 * </pre>
 *
 * {@code ${item.NAME}} (and {@code ${item.NAME.KEY}} into a mapping value) is substituted in
 * the rest of the stage body; a whole-value reference keeps the value's type (a list or a
 * mapping, too), one inside longer text pastes the value's text. The first axis varies
 * slowest. The stage's own name is the group: a target, and an input of list ports.
 */
final class StageMatrix {

  static final String ZIP = "zip";
  static final String EXCLUDE = "exclude";
  private static final Pattern ITEM = Pattern.compile("\\$\\{item\\.([^}]*)}");
  private static final Pattern AXIS_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** What a generated name's token replaces by '-' (compiled once: String.replaceAll compiles it per stage). */
  private static final Pattern NOT_IN_TOKEN = Pattern.compile("[^a-z0-9_.]+");

  /**
   * One generated stage.
   *
   * @param where how errors name it, e.g. {@code stage 'attack@at-8-255' (matrix attack: source=at, eps=8/255)}
   */
  record Generated(String name, Location location, YamlNode.Mapping body, String where) {}

  private final SafeYamlReader reader;
  private final Problems problems;

  StageMatrix(SafeYamlReader reader, Problems problems) {
    this.reader = reader;
    this.problems = problems;
  }

  /**
   * The stages of group {@code entry} (whose body has {@code matrix:}), or an empty list after
   * reporting a problem; at most {@code room} stages are generated, more is a problem.
   */
  List<Generated> expand(YamlNode.Entry entry, YamlNode.Mapping body, long room) {
    String group = entry.key();
    YamlNode matrixNode = body.get("matrix");
    if (!(matrixNode instanceof YamlNode.Mapping matrix) || matrix.entries().isEmpty()) {
      problems.add(matrixNode == null ? entry.keyLocation() : matrixNode.location(), "stage '" + group
          + "': `matrix` must map axis names to lists of values, e.g. matrix: {eps: [8/255, 16/255]}, not "
          + (matrixNode == null ? "nothing" : matrixNode.describe()));
      return List.of();
    }
    int before = problems.count();
    Map<String, List<YamlNode>> axes = new LinkedHashMap<>();
    Map<String, List<YamlNode>> zipped = new LinkedHashMap<>();
    YamlNode.@Nullable Sequence exclude = null;
    for (YamlNode.Entry axis : matrix.entries().values()) {
      if (axis.key().equals(ZIP)) {
        zipped = zipAxes(group, axis);
      } else if (axis.key().equals(EXCLUDE)) {
        if (axis.value() instanceof YamlNode.Sequence sequence) {
          exclude = sequence;
        } else {
          problems.add(axis.value().location(), "stage '" + group + "': matrix `exclude` must list partial "
              + "combinations, e.g. [{eps: 16/255, source: at}], not " + axis.value().describe());
        }
      } else {
        List<YamlNode> values = axisValues(group, axis);
        if (values != null) {
          axes.put(axis.key(), values);
        }
      }
    }
    for (String name : zipped.keySet()) {
      if (axes.containsKey(name)) {
        problems.add(matrix.location(), "stage '" + group + "': matrix axis '" + name + "' is both a product axis and "
            + "in `zip`; keep one");
      }
    }
    if (problems.count() > before) {
      return List.of();
    }
    long count = 1;
    try {
      for (List<YamlNode> values : axes.values()) {
        count = Math.multiplyExact(count, values.size());
      }
      if (!zipped.isEmpty()) {
        count = Math.multiplyExact(count, zipped.values().iterator().next().size());
      }
    } catch (ArithmeticException e) {
      count = Long.MAX_VALUE;
    }
    if (count > room) {
      problems.add(matrix.location(), "stage '" + group + "': the matrix expands to " + (count == Long.MAX_VALUE
          ? "more than 2^63" : count) + " stages, more than the " + room + " left of the cap of "
          + PipelineLoader.MAX_STAGES + " stages per pipeline; split the grid or narrow its axes");
      return List.of();
    }
    List<Map<String, YamlNode>> items = combinations(axes, zipped);
    if (exclude != null) {
      items = excluded(group, items, exclude, axes, zipped);
    }
    // a list or mapping without an id is named by its position in its axis
    Map<YamlNode, Integer> positions = new IdentityHashMap<>();
    for (List<YamlNode> values : com.google.common.collect.Iterables.concat(axes.values(), zipped.values())) {
      for (int i = 0; i < values.size(); i++) {
        positions.put(values.get(i), i);
      }
    }
    return generate(entry, body, items, positions);
  }

  private @Nullable List<YamlNode> axisValues(String group, YamlNode.Entry axis) {
    if (!AXIS_NAME.matcher(axis.key()).matches()) {
      problems.add(axis.keyLocation(), "stage '" + group + "': bad matrix axis name '" + axis.key()
          + "'; use letters, digits and _ (it is read as ${item." + axis.key() + "})");
      return null;
    }
    if (!(axis.value() instanceof YamlNode.Sequence sequence)) {
      problems.add(axis.value().location(), "stage '" + group + "': matrix axis '" + axis.key()
          + "' must be a list of values, e.g. [1, 2], not " + axis.value().describe());
      return null;
    }
    if (sequence.items().isEmpty()) {
      problems.add(sequence.location(), "stage '" + group + "': matrix axis '" + axis.key()
          + "' is an empty list, so the matrix would generate no stage; give it at least one value or drop the axis");
      return null;
    }
    return sequence.items();
  }

  private Map<String, List<YamlNode>> zipAxes(String group, YamlNode.Entry zip) {
    Map<String, List<YamlNode>> out = new LinkedHashMap<>();
    if (!(zip.value() instanceof YamlNode.Mapping mapping) || mapping.entries().isEmpty()) {
      problems.add(zip.value().location(), "stage '" + group + "': matrix `zip` must map axis names to lists of "
          + "equal length, e.g. {norm: [linf, l2], eps: [8/255, 0.5]}, not " + zip.value().describe());
      return out;
    }
    int length = -1;
    for (YamlNode.Entry axis : mapping.entries().values()) {
      List<YamlNode> values = axisValues(group, axis);
      if (values == null) {
        continue;
      }
      if (length >= 0 && values.size() != length) {
        problems.add(axis.value().location(), "stage '" + group + "': zipped axis '" + axis.key() + "' has "
            + values.size() + " values but '" + out.keySet().iterator().next() + "' has " + length
            + "; zipped lists are taken side by side and must be equally long");
        continue;
      }
      length = values.size();
      out.put(axis.key(), values);
    }
    return out;
  }

  private static List<Map<String, YamlNode>> combinations(
      Map<String, List<YamlNode>> axes, Map<String, List<YamlNode>> zipped) {
    List<Map<String, YamlNode>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<YamlNode>> axis : axes.entrySet()) {
      List<Map<String, YamlNode>> next = new ArrayList<>(out.size() * axis.getValue().size());
      for (Map<String, YamlNode> partial : out) {
        for (YamlNode value : axis.getValue()) {
          Map<String, YamlNode> item = new LinkedHashMap<>(partial);
          item.put(axis.getKey(), value);
          next.add(item);
        }
      }
      out = next;
    }
    if (!zipped.isEmpty()) {
      int length = zipped.values().iterator().next().size();
      List<Map<String, YamlNode>> next = new ArrayList<>(out.size() * length);
      for (Map<String, YamlNode> partial : out) {
        for (int i = 0; i < length; i++) {
          Map<String, YamlNode> item = new LinkedHashMap<>(partial);
          for (Map.Entry<String, List<YamlNode>> axis : zipped.entrySet()) {
            item.put(axis.getKey(), axis.getValue().get(i));
          }
          next.add(item);
        }
      }
      out = next;
    }
    return out;
  }

  private List<Map<String, YamlNode>> excluded(String group, List<Map<String, YamlNode>> items, YamlNode.Sequence exclude,
      Map<String, List<YamlNode>> axes, Map<String, List<YamlNode>> zipped) {
    List<YamlNode.Mapping> patterns = new ArrayList<>();
    for (YamlNode pattern : exclude.items()) {
      if (!(pattern instanceof YamlNode.Mapping mapping) || mapping.entries().isEmpty()) {
        problems.add(pattern.location(), "stage '" + group + "': a matrix `exclude` entry must map axes to values, "
            + "e.g. {eps: 16/255}, not " + pattern.describe());
        continue;
      }
      for (YamlNode.Entry axis : mapping.entries().values()) {
        if (!axes.containsKey(axis.key()) && !zipped.containsKey(axis.key())) {
          List<String> known = new ArrayList<>(axes.keySet());
          known.addAll(zipped.keySet());
          problems.add(axis.keyLocation(), "stage '" + group + "': `exclude` names axis '" + axis.key() + "', which the "
              + "matrix does not have" + ClosestName.suggestion(axis.key(), known) + "; axes: " + String.join(", ", known));
        }
      }
      patterns.add(mapping);
    }
    List<Map<String, YamlNode>> out = new ArrayList<>();
    for (Map<String, YamlNode> item : items) {
      boolean drop = patterns.stream().anyMatch(p -> p.entries().values().stream()
          .allMatch(e -> item.containsKey(e.key()) && matches(e.value(), item.get(e.key()))));
      if (!drop) {
        out.add(item);
      }
    }
    if (out.isEmpty() && !items.isEmpty()) {
      problems.add(exclude.location(), "stage '" + group + "': `exclude` removes every combination of the matrix; "
          + "remove entries from it");
    }
    return out;
  }

  /** True if {@code value} equals {@code pattern}; a mapping pattern needs only its own keys to match. */
  private static boolean matches(YamlNode pattern, YamlNode value) {
    if (pattern instanceof YamlNode.Scalar p) {
      return value instanceof YamlNode.Scalar v && p.text().equals(v.text()) && p.isNull() == v.isNull();
    }
    if (pattern instanceof YamlNode.Sequence p) {
      if (!(value instanceof YamlNode.Sequence v) || v.items().size() != p.items().size()) {
        return false;
      }
      for (int i = 0; i < p.items().size(); i++) {
        if (!matches(p.items().get(i), v.items().get(i))) {
          return false;
        }
      }
      return true;
    }
    YamlNode.Mapping p = (YamlNode.Mapping) pattern;
    return value instanceof YamlNode.Mapping v && p.entries().values().stream()
        .allMatch(e -> v.entries().containsKey(e.key()) && matches(e.value(), v.get(e.key())));
  }

  private List<Generated> generate(
      YamlNode.Entry entry, YamlNode.Mapping body, List<Map<String, YamlNode>> items, Map<YamlNode, Integer> positions) {
    String group = entry.key();
    YamlNode nameNode = body.get("name");
    YamlNode.@Nullable Scalar pattern = null;
    if (nameNode != null) {
      if (nameNode instanceof YamlNode.Scalar s && !s.isNull()) {
        pattern = s;
      } else {
        problems.add(nameNode.location(), "stage '" + group + "': `name` must be a pattern such as "
            + "attack-${item.eps}, not " + nameNode.describe());
        return List.of();
      }
    }
    Map<String, YamlNode.Entry> rest = new LinkedHashMap<>(body.entries());
    rest.remove("matrix");
    rest.remove("name");
    YamlNode.Mapping template = new YamlNode.Mapping(ImmutableMap.copyOf(rest), body.location());
    List<Generated> out = new ArrayList<>(items.size());
    Map<String, String> first = new HashMap<>();
    for (Map<String, YamlNode> item : items) {
      String described = describe(item);
      String where = "matrix stage '" + group + "' (" + described + ")";
      int before = problems.count();
      String name = pattern == null ? defaultName(group, item, positions) : nameFrom(pattern, item, where);
      if (problems.count() > before) {
        continue;
      }
      if (!StageNames.isValid(name)) {
        problems.add(pattern == null ? entry.keyLocation() : pattern.location(), where + ": generated name '" + name
            + "' is not valid: " + StageNames.RULE + " (give a `name:` pattern)");
        continue;
      }
      if (name.equals(group)) {
        problems.add(pattern == null ? entry.keyLocation() : pattern.location(), where + ": generated name '" + name
            + "' is the matrix stage's own name, which names the whole group; rename the matrix stage");
        continue;
      }
      String earlier = first.putIfAbsent(name, described);
      if (earlier != null) {
        problems.add(pattern == null ? entry.keyLocation() : pattern.location(), "matrix stage '" + group
            + "': combinations (" + earlier + ") and (" + described + ") both generate the name '" + name
            + "'; use every varying axis in the `name:` pattern");
        continue;
      }
      YamlNode.Mapping generated = (YamlNode.Mapping) substitute(template, item, where);
      if (problems.count() > before) {
        continue;
      }
      out.add(new Generated(name, entry.keyLocation(), generated, "stage '" + name + "' (matrix " + group + ": "
          + described + ")"));
    }
    return out;
  }

  private String nameFrom(YamlNode.Scalar pattern, Map<String, YamlNode> item, String where) {
    YamlNode value = substitute(pattern, item, where + ": `name`");
    if (!(value instanceof YamlNode.Scalar scalar)) {
      problems.add(pattern.location(), where + ": `name` " + pattern.text() + " is " + value.describe()
          + ", not a name; paste scalar fields, e.g. ${item.model.id}");
      return "";
    }
    return scalar.text();
  }

  /**
   * DVC's naming: {@code group@v1-v2}, each value's text with characters a name cannot hold as
   * '-'; a mapping value gives its {@code id} (or {@code name}) field, other lists and mappings
   * their 0-based position in the axis.
   */
  private static String defaultName(String group, Map<String, YamlNode> item, Map<YamlNode, Integer> positions) {
    List<String> tokens = new ArrayList<>();
    item.forEach((axis, value) -> tokens.add(token(value, positions.get(value))));
    return group + "@" + String.join("-", tokens);
  }

  private static String token(YamlNode value, int position) {
    String text;
    if (value instanceof YamlNode.Scalar scalar) {
      text = scalar.text();
    } else if (value instanceof YamlNode.Mapping mapping
        && (mapping.get("id") instanceof YamlNode.Scalar || mapping.get("name") instanceof YamlNode.Scalar)) {
      YamlNode id = mapping.get("id") != null ? mapping.get("id") : mapping.get("name");
      text = ((YamlNode.Scalar) id).text();
    } else {
      text = Integer.toString(position);
    }
    return NOT_IN_TOKEN.matcher(text.toLowerCase()).replaceAll("-");
  }

  /** {@code node} with every {@code ${item.PATH}} replaced by the item's value. */
  YamlNode substitute(YamlNode node, Map<String, YamlNode> item, String where) {
    if (node instanceof YamlNode.Sequence sequence) {
      return new YamlNode.Sequence(sequence.items().stream().map(i -> substitute(i, item, where))
          .collect(ImmutableList.toImmutableList()), sequence.location());
    }
    if (node instanceof YamlNode.Mapping mapping) {
      Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
      mapping.entries().forEach((key, e) ->
          entries.put(key, new YamlNode.Entry(key, e.keyLocation(), substitute(e.value(), item, where))));
      return new YamlNode.Mapping(ImmutableMap.copyOf(entries), mapping.location());
    }
    YamlNode.Scalar scalar = (YamlNode.Scalar) node;
    if (!scalar.tag().equals(Tag.STR) || !scalar.text().contains("${item.")) {
      return scalar;
    }
    Matcher whole = ITEM.matcher(scalar.text());
    if (whole.matches()) {
      YamlNode value = lookup(whole.group(1), item, scalar.location(), where);
      // a value keeps its own location: a wrong value is reported where it is written in the matrix
      return value == null ? new YamlNode.Scalar("", Tag.STR, false, scalar.location()) : value;
    }
    StringBuilder text = new StringBuilder();
    Matcher matcher = ITEM.matcher(scalar.text());
    while (matcher.find()) {
      YamlNode value = lookup(matcher.group(1), item, scalar.location(), where);
      String replacement = "";
      if (value instanceof YamlNode.Scalar s && !s.isNull()) {
        replacement = s.text();
      } else if (value != null && !(value instanceof YamlNode.Scalar)) {
        problems.add(scalar.location(), where + ": ${item." + matcher.group(1) + "} is " + value.describe()
            + ", which cannot be pasted into text; use it as the whole value or name a scalar field inside it");
      }
      matcher.appendReplacement(text, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(text);
    String result = text.toString();
    Tag tag = scalar.plain() ? reader.resolvePlain(result) : Tag.STR;
    return new YamlNode.Scalar(result, tag, scalar.plain(), scalar.location());
  }

  private @Nullable YamlNode lookup(String path, Map<String, YamlNode> item, Location at, String where) {
    String[] parts = path.split("\\.", -1);
    YamlNode value = item.get(parts[0]);
    if (value == null) {
      problems.add(at, where + ": ${item." + path + "} is undefined: the matrix has no axis '" + parts[0] + "'"
          + ClosestName.suggestion(parts[0], item.keySet()) + "; axes: " + String.join(", ", item.keySet()));
      return null;
    }
    for (int i = 1; i < parts.length; i++) {
      if (!(value instanceof YamlNode.Mapping mapping)) {
        problems.add(at, where + ": ${item." + path + "} is undefined: '" + String.join(".", List.of(parts).subList(0, i))
            + "' is " + value.describe() + ", not a mapping with key '" + parts[i] + "'");
        return null;
      }
      YamlNode next = mapping.get(parts[i]);
      if (next == null) {
        problems.add(at, where + ": ${item." + path + "} is undefined: '" + String.join(".", List.of(parts).subList(0, i))
            + "' has no key '" + parts[i] + "'" + ClosestName.suggestion(parts[i], mapping.entries().keySet())
            + "; keys: " + String.join(", ", mapping.entries().keySet()));
        return null;
      }
      value = next;
    }
    return value;
  }

  /** {@code eps=8/255, model={id: ce, from: pretrain-ce}}: how errors name a combination. */
  static String describe(Map<String, YamlNode> item) {
    List<String> parts = new ArrayList<>();
    item.forEach((axis, value) -> parts.add(axis + "=" + render(value)));
    return String.join(", ", parts);
  }

  private static String render(YamlNode node) {
    if (node instanceof YamlNode.Scalar scalar) {
      return scalar.text();
    }
    if (node instanceof YamlNode.Sequence sequence) {
      return "[" + String.join(", ", sequence.items().stream().map(StageMatrix::render).toList()) + "]";
    }
    List<String> parts = new ArrayList<>();
    ((YamlNode.Mapping) node).entries().forEach((k, e) -> parts.add(k + ": " + render(e.value())));
    return "{" + String.join(", ", parts) + "}";
  }
}
