package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Stage presets: {@code stages/<name>.yaml} next to the pipeline file, each holding
 * {@code type}, {@code params}, {@code resources} and an optional {@code extends} of another
 * preset. A preset's values override those of the preset it extends, param by param.
 */
final class PresetLibrary {

  static final ImmutableSet<String> KEYS = ImmutableSet.of("type", "params", "resources", "extends", "doc");

  private final Path directory;
  private final SafeYamlReader reader;
  private final Problems problems;
  private final Map<String, StageDraft> resolved = new HashMap<>();

  PresetLibrary(Path directory, SafeYamlReader reader, Problems problems) {
    this.directory = directory;
    this.reader = reader;
    this.problems = problems;
  }

  /**
   * The merged preset {@code name} (its chain applied base first), or null after reporting a
   * problem at {@code at} (missing preset, bad name, cycle, malformed file).
   */
  @Nullable StageDraft resolve(String name, Location at) {
    return resolve(name, at, new ArrayList<>());
  }

  private @Nullable StageDraft resolve(String name, Location at, List<String> chain) {
    if (chain.contains(name)) {
      List<String> cycle = new ArrayList<>(chain.subList(chain.indexOf(name), chain.size()));
      cycle.add(name);
      problems.add(at, "preset cycle: " + String.join(" -> ", cycle) + "; remove one of these `extends:`");
      return null;
    }
    StageDraft cached = resolved.get(name);
    if (cached != null) {
      return cached;
    }
    if (!StageNames.isValid(name)) {
      problems.add(at, "bad preset name '" + name + "': " + StageNames.RULE);
      return null;
    }
    Path file = directory.resolve(name + ".yaml");
    if (!Files.isRegularFile(file)) {
      List<String> known = known();
      problems.add(at, "preset '" + name + "' not found: there is no " + file + ClosestName.suggestion(name, known)
          + "; known presets: " + (known.isEmpty() ? "none" : String.join(", ", known)));
      return null;
    }
    YamlNode root;
    try {
      root = reader.read(file);
    } catch (ConfigException e) {
      e.problems().forEach(problems::add);
      return null;
    }
    if (!(root instanceof YamlNode.Mapping mapping)) {
      problems.add(root.location(), "a preset must be a mapping with type, params, resources, extends");
      return null;
    }
    String where = "preset '" + name + "'";
    for (YamlNode.Entry entry : mapping.entries().values()) {
      if (!KEYS.contains(entry.key())) {
        problems.add(entry.keyLocation(), where + ": unknown key '" + entry.key() + "'"
            + ClosestName.suggestion(entry.key(), KEYS) + "; a preset holds " + KEYS);
      }
    }
    StageDraft draft = new StageDraft();
    YamlNode parent = mapping.get("extends");
    if (parent != null) {
      if (!(parent instanceof YamlNode.Scalar scalar) || scalar.isNull()) {
        problems.add(parent.location(), where + ": `extends` must name a preset, not " + parent.describe());
        return null;
      }
      chain.add(name);
      StageDraft base = resolve(scalar.text(), scalar.location(), chain);
      chain.remove(chain.size() - 1);
      if (base == null) {
        return null;
      }
      draft.overlay(base);
    }
    draft.overlay(StageDraft.from(mapping, where, ParamOrigin.preset(name), problems));
    draft.presets.add(name);
    resolved.put(name, draft);
    return draft;
  }

  private List<String> known() {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - ".yaml".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * The unmerged parts of a stage: type, params and resources, each with its location, the
   * origin of each param and the preset chain, base first.
   */
  static final class StageDraft {
    YamlNode.@Nullable Scalar type;
    final Map<String, YamlNode.Entry> params = new LinkedHashMap<>();
    final Map<String, ParamOrigin> origins = new HashMap<>();
    final Map<String, YamlNode.Entry> resources = new LinkedHashMap<>();
    final List<String> presets = new ArrayList<>();

    /** The type/params/resources written in {@code mapping} (a stage or a preset), params labelled {@code origin}. */
    static StageDraft from(YamlNode.Mapping mapping, String where, ParamOrigin origin, Problems problems) {
      StageDraft draft = new StageDraft();
      YamlNode type = mapping.get("type");
      if (type != null) {
        if (type instanceof YamlNode.Scalar scalar && !scalar.isNull()) {
          draft.type = scalar;
        } else {
          problems.add(type.location(), where + ": `type` must name a stage type, not " + type.describe());
        }
      }
      copyMapping(mapping, "params", draft.params, where, problems);
      copyMapping(mapping, "resources", draft.resources, where, problems);
      draft.params.keySet().forEach(param -> draft.origins.put(param, origin));
      return draft;
    }

    /** Applies {@code params} and {@code resources} (of defaults labelled {@code origin}) on top of this draft. */
    void overlay(Map<String, YamlNode.Entry> moreParams, Map<String, YamlNode.Entry> moreResources, ParamOrigin origin) {
      params.putAll(moreParams);
      moreParams.keySet().forEach(param -> origins.put(param, origin));
      resources.putAll(moreResources);
    }

    private static void copyMapping(
        YamlNode.Mapping mapping, String key, Map<String, YamlNode.Entry> into, String where, Problems problems) {
      YamlNode node = mapping.get(key);
      if (node == null || node instanceof YamlNode.Scalar s && s.isNull()) {
        return;
      }
      if (node instanceof YamlNode.Mapping values) {
        into.putAll(values.entries());
      } else {
        problems.add(node.location(), where + ": `" + key + "` must be a mapping, e.g. {name: value}, not " + node.describe());
      }
    }

    /** Applies {@code other} on top of this draft: its type and each of its entries win. */
    void overlay(StageDraft other) {
      if (other.type != null) {
        type = other.type;
      }
      params.putAll(other.params);
      origins.putAll(other.origins);
      resources.putAll(other.resources);
      if (!other.presets.isEmpty()) {
        presets.clear();
        presets.addAll(other.presets);
      }
    }
  }
}
