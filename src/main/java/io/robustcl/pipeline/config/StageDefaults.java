package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code defaults:} of a pipeline file: params, inputs and resources that every stage of
 * a stage type ({@code pretrain:}) or of a preset chain ({@code preset/rocl:}) gets unless
 * it sets them itself. A file's defaults apply to its own stages and to the files it
 * includes; an included file's defaults override its includer's, entry by entry.
 *
 * <p>Precedence for one param, highest first: the stage's own value, defaults of the
 * stage's presets (nearest in its {@code extends} chain first), defaults of its type, the
 * preset chain's values, the stage type's declared default.
 */
final class StageDefaults {

  static final String PRESET_PREFIX = "preset/";
  static final ImmutableSet<String> KEYS = ImmutableSet.of("params", "inputs", "resources");

  /**
   * The defaults under one key.
   *
   * @param origin how a value from it is reported, e.g. {@code defaults pretrain}
   */
  record Part(ParamOrigin origin, ImmutableMap<String, YamlNode.Entry> params, ImmutableMap<String, YamlNode.Entry> inputs,
      ImmutableMap<String, YamlNode.Entry> resources) {

    Part overlay(Part child) {
      return new Part(origin, merge(params, child.params), merge(inputs, child.inputs), merge(resources, child.resources));
    }

    private static ImmutableMap<String, YamlNode.Entry> merge(
        ImmutableMap<String, YamlNode.Entry> base, ImmutableMap<String, YamlNode.Entry> top) {
      Map<String, YamlNode.Entry> out = new LinkedHashMap<>(base);
      out.putAll(top);
      return ImmutableMap.copyOf(out);
    }
  }

  private static final StageDefaults NONE = new StageDefaults(ImmutableMap.of(), ImmutableMap.of());

  private final ImmutableMap<String, Part> byType;
  private final ImmutableMap<String, Part> byPreset;

  private StageDefaults(ImmutableMap<String, Part> byType, ImmutableMap<String, Part> byPreset) {
    this.byType = byType;
    this.byPreset = byPreset;
  }

  static StageDefaults none() {
    return NONE;
  }

  /**
   * The defaults written in {@code node} (a file's {@code defaults:} value, or null); unknown
   * stage types, bad preset names and malformed bodies are problems.
   */
  static StageDefaults parse(@Nullable YamlNode node, Set<String> stageTypes, Problems problems) {
    if (node == null || node instanceof YamlNode.Scalar s && s.isNull()) {
      return NONE;
    }
    if (!(node instanceof YamlNode.Mapping mapping)) {
      problems.add(node.location(), "`defaults` must map a stage type (or preset/<name>) to {params, inputs, resources}, "
          + "not " + node.describe());
      return NONE;
    }
    Map<String, Part> byType = new LinkedHashMap<>();
    Map<String, Part> byPreset = new LinkedHashMap<>();
    for (YamlNode.Entry entry : mapping.entries().values()) {
      String key = entry.key();
      boolean preset = key.startsWith(PRESET_PREFIX);
      String name = preset ? key.substring(PRESET_PREFIX.length()) : key;
      if (preset && !StageNames.isValid(name)) {
        problems.add(entry.keyLocation(), "defaults: bad preset name '" + name + "': " + StageNames.RULE);
        continue;
      }
      if (!preset && !stageTypes.contains(name)) {
        problems.add(entry.keyLocation(), "defaults: unknown stage type '" + name + "'"
            + ClosestName.suggestion(name, stageTypes) + "; keys are stage types (" + String.join(", ", stageTypes)
            + ") or preset/<name> for the stages extending that preset");
        continue;
      }
      if (!(entry.value() instanceof YamlNode.Mapping body)) {
        problems.add(entry.value().location(), "defaults '" + key + "' must be a mapping with params, inputs or "
            + "resources, not " + entry.value().describe());
        continue;
      }
      for (YamlNode.Entry part : body.entries().values()) {
        if (!KEYS.contains(part.key())) {
          problems.add(part.keyLocation(), "defaults '" + key + "': unknown key '" + part.key() + "'"
              + ClosestName.suggestion(part.key(), KEYS) + "; defaults hold " + String.join(", ", KEYS));
        }
      }
      Part value = new Part(ParamOrigin.defaults(key), section(body, "params", key, problems),
          section(body, "inputs", key, problems), section(body, "resources", key, problems));
      (preset ? byPreset : byType).put(name, value);
    }
    return new StageDefaults(ImmutableMap.copyOf(byType), ImmutableMap.copyOf(byPreset));
  }

  private static ImmutableMap<String, YamlNode.Entry> section(
      YamlNode.Mapping body, String key, String owner, Problems problems) {
    YamlNode node = body.get(key);
    if (node == null || node instanceof YamlNode.Scalar s && s.isNull()) {
      return ImmutableMap.of();
    }
    if (!(node instanceof YamlNode.Mapping mapping)) {
      problems.add(node.location(), "defaults '" + owner + "': `" + key + "` must be a mapping, e.g. {name: value}, not "
          + node.describe());
      return ImmutableMap.of();
    }
    if (PipelineLoader.containsItemReference(mapping)) {
      problems.add(mapping.location(), "defaults '" + owner + "' use ${item...}, which only a stage with `matrix:` "
          + "defines; set the value in the matrix stage instead");
      return ImmutableMap.of();
    }
    return mapping.entries();
  }

  /** These defaults with {@code child}'s on top, key by key and entry by entry. */
  StageDefaults overlay(StageDefaults child) {
    if (child == NONE) {
      return this;
    }
    return new StageDefaults(merge(byType, child.byType), merge(byPreset, child.byPreset));
  }

  private static ImmutableMap<String, Part> merge(ImmutableMap<String, Part> base, ImmutableMap<String, Part> top) {
    Map<String, Part> out = new LinkedHashMap<>(base);
    top.forEach((key, part) -> out.merge(key, part, Part::overlay));
    return ImmutableMap.copyOf(out);
  }

  /**
   * Every preset param that any of {@code all} sets, by preset and then param, with the entry
   * that sets it first (in file order). A stage extending such a preset that still gets the
   * preset's own value for the param is outside those defaults' reach.
   */
  static ImmutableMap<String, ImmutableMap<String, YamlNode.Entry>> presetParams(List<StageDefaults> all) {
    Map<String, Map<String, YamlNode.Entry>> out = new LinkedHashMap<>();
    for (StageDefaults defaults : all) {
      defaults.byPreset.forEach((preset, part) -> part.params().forEach((param, entry) ->
          out.computeIfAbsent(preset, p -> new LinkedHashMap<>()).putIfAbsent(param, entry)));
    }
    ImmutableMap.Builder<String, ImmutableMap<String, YamlNode.Entry>> built = ImmutableMap.builder();
    out.forEach((preset, params) -> built.put(preset, ImmutableMap.copyOf(params)));
    return built.buildOrThrow();
  }

  /**
   * The parts that apply to a stage of {@code type} whose preset chain is {@code presets}
   * (base first), lowest precedence first: the type's, then each preset's from base to nearest.
   */
  List<Part> applicable(String type, List<String> presets) {
    List<Part> out = new java.util.ArrayList<>();
    Part typePart = byType.get(type);
    if (typePart != null) {
      out.add(typePart);
    }
    for (String preset : presets) {
      Part part = byPreset.get(preset);
      if (part != null) {
        out.add(part);
      }
    }
    return out;
  }
}
