package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads YAML into {@link YamlNode}s without constructing any Java object: SnakeYAML only
 * composes the node graph, and every node must carry a YAML core-schema tag. Explicit
 * tags such as {@code !!java.lang.ProcessBuilder} or {@code !foo} are errors, as are merge
 * keys, duplicate keys and non-scalar keys.
 *
 * <p>Bounds against hostile files: the file size, the number of aliases to collections,
 * the nesting depth, and the number of values after alias expansion (a "billion laughs"
 * file fails after {@value #MAX_VALUES} values, in milliseconds).
 */
final class SafeYamlReader {

  static final long MAX_FILE_BYTES = 4L << 20;
  static final int MAX_COLLECTION_ALIASES = 50;
  static final int MAX_DEPTH = 64;
  static final int MAX_VALUES = 100_000;

  private static final ImmutableSet<Tag> CORE_TAGS =
      ImmutableSet.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ);

  private final Resolver resolver = new CoreSchemaResolver();

  /**
   * The document in {@code file} (an empty document reads as an empty mapping at 1:1).
   *
   * @throws ConfigException for an unreadable, oversized or malformed file, naming the problems
   */
  YamlNode read(Path file) {
    String text;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new ConfigException(
            new Location(file, 1, 1),
            "file is " + size + " bytes, more than the " + MAX_FILE_BYTES + " a pipeline file may have");
      }
      text = Utf8Text.decode(Files.readAllBytes(file), file);
    } catch (IOException e) {
      throw new ConfigException(new Location(file, 1, 1), "cannot read the file: " + e);
    }
    return parse(text, file);
  }

  /** {@code text} as YAML with locations in {@code origin} (e.g. a {@code --set} value). */
  YamlNode parse(String text, Path origin) {
    Node root;
    try {
      root = yaml().compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? e.getContext() + ": " : "";
      throw new ConfigException(
          mark == null ? new Location(origin, 1, 1) : location(origin, mark),
          "invalid YAML: " + context + problem.strip());
    } catch (YAMLException e) {
      // Raised by the alias bound (and a few other limits) without a mark.
      throw new ConfigException(new Location(origin, 1, 1), "rejected YAML: " + e.getMessage());
    }
    if (root == null) {
      return new YamlNode.Mapping(ImmutableMap.of(), new Location(origin, 1, 1));
    }
    Problems problems = new Problems();
    YamlNode converted = new Conversion(origin, problems).convert(root, 0);
    problems.throwIfAny();
    return converted;
  }

  private Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit((int) MAX_FILE_BYTES);
    options.setAllowDuplicateKeys(false);
    // compose() never constructs objects; every tag outside the core schema is reported by
    // Conversion with its location and a fix, so the composer may let global tags through.
    options.setTagInspector(tag -> true);
    DumperOptions dumper = new DumperOptions();
    return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options, resolver);
  }

  private static Location location(Path file, Mark mark) {
    return new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** One walk of a composed node graph; counts values so that alias expansion stays bounded. */
  private final class Conversion {
    private final Path file;
    private final Problems problems;
    private int values;

    Conversion(Path file, Problems problems) {
      this.file = file;
      this.problems = problems;
    }

    YamlNode convert(Node node, int depth) {
      Location at = location(file, node.getStartMark());
      if (++values > MAX_VALUES || depth > MAX_DEPTH) {
        throw new ConfigException(
            at,
            "more than " + MAX_VALUES + " values or " + MAX_DEPTH + " levels after expanding aliases "
                + "(an alias bomb or a recursive alias?); write the values out instead of using *aliases");
      }
      Tag tag = node.getTag();
      if (!CORE_TAGS.contains(tag)) {
        problems.add(at, tag.equals(Tag.MERGE)
            ? "merge keys (<<) are not supported; write the keys out, or use `extends: <preset>` for stages"
            : "tag '" + displayTag(tag) + "' is not allowed: pipeline files hold only plain YAML values "
                + "(strings, numbers, booleans, lists, mappings); remove the tag");
        return new YamlNode.Scalar("", Tag.NULL, true, at);
      }
      if (node instanceof ScalarNode scalar) {
        if (scalar.getValue().chars().anyMatch(c -> (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)) {
          // e.g. "\0" in a double-quoted string: a NUL byte cannot be in a path, a name or a param
          problems.add(at, "control character (such as \\0) in a value; remove it");
          return new YamlNode.Scalar("", Tag.STR, false, at);
        }
        return new YamlNode.Scalar(scalar.getValue(), tag, scalar.isPlain(), at);
      }
      if (node instanceof SequenceNode sequence) {
        ImmutableList.Builder<YamlNode> items = ImmutableList.builder();
        for (Node item : sequence.getValue()) {
          items.add(convert(item, depth + 1));
        }
        return new YamlNode.Sequence(items.build(), at);
      }
      MappingNode mapping = (MappingNode) node;
      Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        Node keyNode = tuple.getKeyNode();
        Location keyAt = location(file, keyNode.getStartMark());
        if (!(keyNode instanceof ScalarNode keyScalar) || !CORE_TAGS.contains(keyNode.getTag())) {
          if (keyNode.getTag().equals(Tag.MERGE)) {
            problems.add(keyAt, "merge keys (<<) are not supported; write the keys out, or use `extends: <preset>` for stages");
          } else if (!CORE_TAGS.contains(keyNode.getTag())) {
            problems.add(keyAt, "tag '" + displayTag(keyNode.getTag()) + "' is not allowed on a key; remove the tag");
          } else {
            problems.add(keyAt, "a key must be a plain name, not " + keyNode.getNodeId().name().toLowerCase());
          }
          continue;
        }
        String key = keyScalar.getValue();
        YamlNode.Entry previous = entries.get(key);
        if (previous != null) {
          problems.add(keyAt, "duplicate key '" + key + "' (first at line " + previous.keyLocation().line()
              + "); keep one of them");
          continue;
        }
        entries.put(key, new YamlNode.Entry(key, keyAt, convert(tuple.getValueNode(), depth + 1)));
      }
      return new YamlNode.Mapping(ImmutableMap.copyOf(entries), at);
    }
  }

  private static String displayTag(Tag tag) {
    String value = tag.getValue();
    return value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value;
  }

  /** The YAML 1.1 resolver of SnakeYAML, but an unquoted date stays a string. */
  private static final class CoreSchemaResolver extends Resolver {
    @Override
    public Tag resolve(NodeId kind, @Nullable String value, boolean implicit) {
      Tag tag = super.resolve(kind, value, implicit);
      return implicit && tag.equals(Tag.TIMESTAMP) ? Tag.STR : tag;
    }
  }

  /** The tag an unquoted scalar with {@code text} resolves to (after textual var substitution). */
  Tag resolvePlain(String text) {
    return resolver.resolve(NodeId.scalar, text, true);
  }
}
