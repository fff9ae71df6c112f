package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Loads and validates a pipeline file against the registered stage types.
 *
 * <p>Safe YAML only (no tags beyond the YAML core schema, bounded aliases and size), then
 * vars, profiles, {@code --set}, presets ({@code extends:}), param typing with defaults and
 * ranges, input wiring and artifact kinds, targets and cycles. All problems of a file are
 * reported together in one {@link ConfigException}, one per line, each with file:line:column.
 * Thread-safe: every call works on its own state.
 */
public final class PipelineLoader {

  private static final ImmutableSet<String> TOP_KEYS =
      ImmutableSet.of("vars", "profiles", "default_profile", "stages", "targets");
  private static final ImmutableSet<String> STAGE_KEYS =
      ImmutableSet.of("type", "extends", "params", "inputs", "resources", "doc");
  private static final ImmutableSet<String> RESOURCE_KEYS = ImmutableSet.of("gpu");
  private static final String VAR_NAME = "[A-Za-z_][A-Za-z0-9_.-]*";

  private final ImmutableMap<String, Stage> stageTypes;
  private final SafeYamlReader reader = new SafeYamlReader();

  /** @param stageTypes the stage registry (the Guice {@code MapBinder<String, Stage>} map) */
  @Inject
  public PipelineLoader(Map<String, Stage> stageTypes) {
    this.stageTypes = ImmutableMap.copyOf(new TreeMap<>(stageTypes));
  }

  /**
   * Loads {@code file}; presets are read from {@code stages/} in the file's directory.
   *
   * @throws ConfigException listing every problem, each with file:line:column
   */
  public PipelineSpec load(Path file, LoadOptions options) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("pipeline file " + file + " not found; pass the path of a pipelines.yaml");
    }
    YamlNode rootNode = reader.read(file);
    Problems problems = new Problems();
    if (!(rootNode instanceof YamlNode.Mapping root)) {
      throw new ConfigException(rootNode.location(), "a pipeline file must be a mapping with `stages:` (and optionally "
          + "vars, profiles, default_profile, targets), not " + rootNode.describe());
    }
    checkKeys(root, TOP_KEYS, "top level", problems);
    Resolution resolution = new Resolution(file, options, problems);
    return resolution.run(root);
  }

  /** The state of one load. */
  private final class Resolution {
    private final Path file;
    private final LoadOptions options;
    private final Problems problems;
    private final ParamValues values;
    private @Nullable String profile;
    private ImmutableList<String> profileNames = ImmutableList.of();

    Resolution(Path file, LoadOptions options, Problems problems) {
      this.file = file;
      this.options = options;
      this.problems = problems;
      this.values = new ParamValues(problems);
    }

    PipelineSpec run(YamlNode.Mapping root) {
      Vars vars = vars(root);
      Path directory = file.toAbsolutePath().getParent();
      PresetLibrary presets = new PresetLibrary(directory.resolve("stages"), reader, problems);

      YamlNode stagesNode = root.get("stages");
      Map<String, StageSpec> stages = new LinkedHashMap<>();
      Map<String, YamlNode.Mapping> inputNodes = new LinkedHashMap<>();
      Map<String, YamlNode.Entry> stageEntries = new LinkedHashMap<>();
      if (stagesNode == null) {
        problems.add(root.location(), "no `stages:` mapping; add one, e.g. stages: {data: {type: dataset}}");
      } else if (!(stagesNode instanceof YamlNode.Mapping stageMap)) {
        problems.add(stagesNode.location(), "`stages` must be a mapping of stage name to stage, not " + stagesNode.describe());
      } else {
        for (YamlNode.Entry entry : stageMap.entries().values()) {
          stageEntries.put(entry.key(), entry);
        }
        for (YamlNode.Entry entry : stageEntries.values()) {
          StageSpec spec = stage(entry, vars, presets, inputNodes);
          if (spec != null) {
            stages.put(spec.name(), spec);
          }
        }
      }
      Map<String, ImmutableMap<String, ImmutableList<String>>> inputs = new LinkedHashMap<>();
      inputNodes.forEach((name, node) -> inputs.put(name, inputs(stages.get(name), node, vars, stages, stageEntries)));
      cycles(stages, inputs);
      ImmutableMap<String, ImmutableList<String>> targets = targets(root.get("targets"), stageEntries.keySet());
      ImmutableMap<String, Object> resolvedVars = resolvedVars(vars);
      problems.throwIfAny();

      ImmutableMap.Builder<String, StageSpec> wired = ImmutableMap.builder();
      stages.forEach((name, spec) -> wired.put(name, new StageSpec(
          name, spec.type(), spec.params(), inputs.getOrDefault(name, ImmutableMap.of()), spec.gpus(), spec.location())));
      return new PipelineSpec(file, profile, profileNames, resolvedVars, wired.buildOrThrow(), targets);
    }

    // ---- vars, profiles, --set -------------------------------------------------------

    private Vars vars(YamlNode.Mapping root) {
      Map<String, YamlNode> declared = new LinkedHashMap<>();
      YamlNode varsNode = root.get("vars");
      if (varsNode instanceof YamlNode.Mapping mapping) {
        for (YamlNode.Entry entry : mapping.entries().values()) {
          if (!entry.key().matches(VAR_NAME)) {
            problems.add(entry.keyLocation(), "bad var name '" + entry.key() + "': use letters, digits, _ . -");
          } else if (containsReference(entry.value())) {
            problems.add(entry.value().location(), "var '" + entry.key() + "' uses ${...}; vars may not refer to other vars");
          } else {
            declared.put(entry.key(), entry.value());
          }
        }
      } else if (varsNode != null && !isNull(varsNode)) {
        problems.add(varsNode.location(), "`vars` must be a mapping of name to value, not " + varsNode.describe());
      }
      applyProfile(root, declared);
      options.setVars().forEach((name, text) -> {
        String option = "--set " + name + "=" + text;
        if (!declared.containsKey(name)) {
          problems.add(option + ": unknown var '" + name + "'" + ClosestName.suggestion(name, declared.keySet())
              + " in " + file + "; known vars: " + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet())));
          return;
        }
        try {
          declared.put(name, reader.parse(text, Path.of(option)));
        } catch (ConfigException e) {
          problems.add(option + ": the value is not valid YAML (" + e.getMessage() + "); quote it");
        }
      });
      return new Vars(declared, reader, problems);
    }

    private void applyProfile(YamlNode.Mapping root, Map<String, YamlNode> declared) {
      YamlNode profilesNode = root.get("profiles");
      Map<String, YamlNode.Entry> profiles = new LinkedHashMap<>();
      if (profilesNode instanceof YamlNode.Mapping mapping) {
        profiles.putAll(mapping.entries());
      } else if (profilesNode != null && !isNull(profilesNode)) {
        problems.add(profilesNode.location(), "`profiles` must map profile names to var values, not " + profilesNode.describe());
      }
      profileNames = ImmutableList.copyOf(profiles.keySet());
      String known = profiles.isEmpty() ? "none" : String.join(", ", profiles.keySet());
      YamlNode defaultNode = root.get("default_profile");
      String chosen = options.profile();
      if (defaultNode != null) {
        if (!(defaultNode instanceof YamlNode.Scalar scalar) || scalar.isNull()) {
          problems.add(defaultNode.location(), "`default_profile` must name a profile, not " + defaultNode.describe());
        } else if (!profiles.containsKey(scalar.text())) {
          problems.add(defaultNode.location(), "default_profile '" + scalar.text() + "' is not a profile"
              + ClosestName.suggestion(scalar.text(), profiles.keySet()) + "; known profiles: " + known);
        } else if (chosen == null) {
          chosen = scalar.text();
        }
      }
      if (chosen == null) {
        return;
      }
      YamlNode.Entry entry = profiles.get(chosen);
      if (entry == null) {
        problems.add("--profile " + chosen + ": unknown profile" + ClosestName.suggestion(chosen, profiles.keySet())
            + " in " + file + "; known profiles: " + known);
        return;
      }
      profile = chosen;
      if (!(entry.value() instanceof YamlNode.Mapping overlay)) {
        if (!isNull(entry.value())) {
          problems.add(entry.value().location(), "profile '" + chosen + "' must map var names to values, not "
              + entry.value().describe());
        }
        return;
      }
      for (YamlNode.Entry var : overlay.entries().values()) {
        if (!declared.containsKey(var.key())) {
          problems.add(var.keyLocation(), "profile '" + chosen + "' sets var '" + var.key() + "', which `vars:` does not declare"
              + ClosestName.suggestion(var.key(), declared.keySet()) + "; declare it with a default under `vars:`");
        } else if (containsReference(var.value())) {
          problems.add(var.value().location(), "profile '" + chosen + "': var '" + var.key() + "' uses ${...}; vars may not refer to other vars");
        } else {
          declared.put(var.key(), var.value());
        }
      }
    }

    private ImmutableMap<String, Object> resolvedVars(Vars vars) {
      ImmutableMap.Builder<String, Object> out = ImmutableMap.builder();
      vars.values().forEach((name, node) -> {
        Object value = isNull(node) ? null : values.plain(node, "var '" + name + "'");
        // A var without a value is only a problem where it is used.
        out.put(name, value == null ? "" : value);
      });
      return out.buildOrThrow();
    }

    // ---- stages --------------------------------------------------------------------

    private @Nullable StageSpec stage(
        YamlNode.Entry entry, Vars vars, PresetLibrary presets, Map<String, YamlNode.Mapping> inputNodes) {
      String name = entry.key();
      Location at = entry.keyLocation();
      String where = "stage '" + name + "'";
      if (!StageNames.isValid(name)) {
        problems.add(at, "bad stage name '" + name + "': " + StageNames.RULE);
        return null;
      }
      if (!(entry.value() instanceof YamlNode.Mapping body)) {
        problems.add(entry.value().location(), where + " must be a mapping with `type:` (or `extends:`), params, inputs, "
            + "not " + entry.value().describe());
        return null;
      }
      int before = problems.count();
      checkKeys(body, STAGE_KEYS, where, problems);
      PresetLibrary.StageDraft draft = new PresetLibrary.StageDraft();
      YamlNode extendsNode = body.get("extends");
      if (extendsNode != null) {
        if (!(extendsNode instanceof YamlNode.Scalar preset) || preset.isNull()) {
          problems.add(extendsNode.location(), where + ": `extends` must name a preset in stages/, not " + extendsNode.describe());
          return null;
        }
        PresetLibrary.StageDraft base = presets.resolve(preset.text(), preset.location());
        if (base == null) {
          return null;
        }
        draft.overlay(base);
      }
      PresetLibrary.StageDraft own = PresetLibrary.StageDraft.from(body, where, problems);
      if (own.type != null && draft.type != null && !own.type.text().equals(draft.type.text())) {
        problems.add(own.type.location(), where + " has type '" + own.type.text() + "' but its preset (at "
            + draft.type.location() + ") has type '" + draft.type.text() + "'; drop one of them");
        return null;
      }
      draft.overlay(own);
      if (draft.type == null) {
        problems.add(at, where + " has no type; add `type: <one of " + String.join(", ", stageTypes.keySet())
            + ">` or `extends: <preset>`");
        return null;
      }
      String type = draft.type.text();
      Stage stage = stageTypes.get(type);
      if (stage == null) {
        problems.add(draft.type.location(), where + ": unknown stage type '" + type + "'"
            + ClosestName.suggestion(type, stageTypes.keySet()) + "; known types: " + String.join(", ", stageTypes.keySet()));
        return null;
      }
      Params params = params(where, at, stage, draft.params, vars);
      int gpus = gpus(where, draft.resources, vars);
      YamlNode inputsNode = body.get("inputs");
      if (inputsNode instanceof YamlNode.Mapping mapping) {
        inputNodes.put(name, mapping);
      } else if (inputsNode != null && !isNull(inputsNode)) {
        problems.add(inputsNode.location(), where + ": `inputs` must map port names to stage names, not " + inputsNode.describe());
      } else {
        inputNodes.put(name, new YamlNode.Mapping(ImmutableMap.of(), at));
      }
      if (problems.count() > before || params == null) {
        return new StageSpec(name, type, params == null ? Params.empty() : params, ImmutableMap.of(), gpus, at);
      }
      for (String problem : stage.validate(params)) {
        Location paramsAt = draft.params.isEmpty() ? at : draft.params.values().iterator().next().keyLocation();
        problems.add(ParamPaths.locate(problem, draft.params, paramsAt), where + " (type " + type + "): " + problem);
      }
      return new StageSpec(name, type, params, ImmutableMap.of(), gpus, at);
    }

    private @Nullable Params params(
        String where, Location at, Stage stage, Map<String, YamlNode.Entry> given, Vars vars) {
      Map<String, ParamSpec> declared = new LinkedHashMap<>();
      stage.params().forEach(spec -> declared.put(spec.name(), spec));
      Map<String, Object> resolved = new TreeMap<>();
      boolean ok = true;
      for (YamlNode.Entry entry : given.values()) {
        ParamSpec spec = declared.get(entry.key());
        String paramWhere = where + ": param '" + entry.key() + "'";
        if (spec == null) {
          problems.add(entry.keyLocation(), where + ": unknown param '" + entry.key() + "'"
              + ClosestName.suggestion(entry.key(), declared.keySet()) + "; params of this stage type: "
              + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet())));
          ok = false;
          continue;
        }
        Object value = values.typed(spec, vars.substitute(entry.value(), paramWhere), paramWhere);
        if (value == null) {
          ok = false;
        } else {
          resolved.put(spec.name(), value);
        }
      }
      for (ParamSpec spec : declared.values()) {
        if (given.containsKey(spec.name())) {
          continue;
        }
        if (spec.defaultValue() == null) {
          problems.add(at, where + ": missing required param '" + spec.name() + "' (" + spec.type().displayName()
              + (spec.doc().isEmpty() ? "" : ": " + spec.doc()) + "); add it under `params:`");
          ok = false;
        } else {
          resolved.put(spec.name(), spec.defaultValue());
        }
      }
      if (!ok) {
        return null;
      }
      try {
        return Params.of(resolved);
      } catch (IllegalArgumentException e) {
        problems.add(at, where + ": " + e.getMessage());
        return null;
      }
    }

    private int gpus(String where, Map<String, YamlNode.Entry> resources, Vars vars) {
      int gpus = 0;
      for (YamlNode.Entry entry : resources.values()) {
        if (!RESOURCE_KEYS.contains(entry.key())) {
          problems.add(entry.keyLocation(), where + ": unknown resource '" + entry.key() + "'"
              + ClosestName.suggestion(entry.key(), RESOURCE_KEYS) + "; resources are " + RESOURCE_KEYS);
          continue;
        }
        YamlNode value = vars.substitute(entry.value(), where);
        Object count = values.typed(
            ParamSpec.integer("gpu", 0L, "GPUs").atLeast(0).atMost(64), value, where + ": resource 'gpu'");
        if (count != null) {
          gpus = Math.toIntExact((Long) count);
        }
      }
      return gpus;
    }

    // ---- inputs, cycles, targets -------------------------------------------------------

    private ImmutableMap<String, ImmutableList<String>> inputs(
        @Nullable StageSpec spec, YamlNode.Mapping node, Vars vars, Map<String, StageSpec> stages,
        Map<String, YamlNode.Entry> stageEntries) {
      if (spec == null) {
        return ImmutableMap.of();
      }
      String where = "stage '" + spec.name() + "'";
      Stage stage = stageTypes.get(spec.type());
      Map<String, InputPort> ports = new LinkedHashMap<>();
      stage.inputs().forEach(port -> ports.put(port.name(), port));
      ImmutableMap.Builder<String, ImmutableList<String>> out = ImmutableMap.builder();
      for (YamlNode.Entry entry : node.entries().values()) {
        InputPort port = ports.get(entry.key());
        if (port == null) {
          problems.add(entry.keyLocation(), where + ": unknown input port '" + entry.key() + "'"
              + ClosestName.suggestion(entry.key(), ports.keySet()) + "; ports of type " + spec.type() + ": "
              + (ports.isEmpty() ? "none" : String.join(", ", ports.keySet())));
          continue;
        }
        String portWhere = where + ": input '" + port.name() + "'";
        YamlNode value = vars.substitute(entry.value(), portWhere);
        List<YamlNode> items = new ArrayList<>();
        if (value instanceof YamlNode.Sequence sequence) {
          if (!port.list()) {
            problems.add(value.location(), portWhere + " takes one stage, not a list; name a single stage");
            continue;
          }
          items.addAll(sequence.items());
        } else {
          items.add(value);
        }
        ImmutableList.Builder<String> producers = ImmutableList.builder();
        for (YamlNode item : items) {
          if (!(item instanceof YamlNode.Scalar scalar) || scalar.isNull()) {
            problems.add(item.location(), portWhere + " must name a stage, not " + item.describe());
            continue;
          }
          String producer = scalar.text();
          StageSpec producerSpec = stages.get(producer);
          if (producerSpec == null) {
            if (!stageEntries.containsKey(producer)) {
              problems.add(scalar.location(), portWhere + " names unknown stage '" + producer + "'"
                  + ClosestName.suggestion(producer, stageEntries.keySet()) + "; stages are "
                  + String.join(", ", stageEntries.keySet()));
            }
            continue;
          }
          String kind = stageTypes.get(producerSpec.type()).outputKind();
          if (!port.accepts(kind)) {
            problems.add(scalar.location(), portWhere + " accepts " + port.kinds() + " artifacts, but stage '" + producer
                + "' (type " + producerSpec.type() + ") produces '" + kind + "'; wire a stage of an accepted kind");
            continue;
          }
          producers.add(producer);
        }
        ImmutableList<String> list = producers.build();
        if (items.isEmpty() && port.required()) {
          problems.add(value.location(), portWhere + " needs at least one stage; list them, e.g. [a, b]");
        }
        if (!list.isEmpty()) {
          out.put(port.name(), list);
        }
      }
      for (InputPort port : ports.values()) {
        if (port.required() && !node.entries().containsKey(port.name())) {
          problems.add(spec.location(), where + ": required input '" + port.name() + "' is not wired"
              + (port.doc().isEmpty() ? "" : " (" + port.doc() + ")") + "; add `inputs: {" + port.name()
              + ": <stage>}`" + (port.kinds().isEmpty() ? "" : " naming a stage that produces " + port.kinds()));
        }
      }
      return out.buildOrThrow();
    }

    private void cycles(Map<String, StageSpec> stages, Map<String, ImmutableMap<String, ImmutableList<String>>> inputs) {
      Map<String, List<String>> dependencies = new LinkedHashMap<>();
      inputs.forEach((name, ports) -> dependencies.put(
          name, ports.values().stream().flatMap(List::stream).distinct().toList()));
      Optional<ImmutableList<String>> cycle = DependencyOrder.findCycle(dependencies);
      if (cycle.isEmpty()) {
        return;
      }
      // Printed in data-flow order: a -> b means b reads from a.
      List<String> flow = com.google.common.collect.Lists.reverse(cycle.get());
      StringBuilder text = new StringBuilder();
      for (String name : flow) {
        if (!text.isEmpty()) {
          text.append(" -> ");
        }
        text.append(name).append(" (").append(stages.get(name).location()).append(')');
      }
      problems.add(stages.get(flow.get(0)).location(), "dependency cycle: " + text
          + "; a stage cannot read, even indirectly, from its own output: remove one of these inputs");
    }

    private ImmutableMap<String, ImmutableList<String>> targets(@Nullable YamlNode node, java.util.Set<String> stageNames) {
      ImmutableMap.Builder<String, ImmutableList<String>> out = ImmutableMap.builder();
      if (node == null || isNull(node)) {
        return out.buildOrThrow();
      }
      if (!(node instanceof YamlNode.Mapping mapping)) {
        problems.add(node.location(), "`targets` must map target names to stage names, not " + node.describe());
        return out.buildOrThrow();
      }
      for (YamlNode.Entry entry : mapping.entries().values()) {
        String where = "target '" + entry.key() + "'";
        if (!StageNames.isValid(entry.key())) {
          problems.add(entry.keyLocation(), "bad target name '" + entry.key() + "': " + StageNames.RULE);
          continue;
        }
        List<YamlNode> items = entry.value() instanceof YamlNode.Sequence sequence
            ? sequence.items() : List.of(entry.value());
        ImmutableList.Builder<String> names = ImmutableList.builder();
        for (YamlNode item : items) {
          if (!(item instanceof YamlNode.Scalar scalar) || scalar.isNull()) {
            problems.add(item.location(), where + " must name a stage or list stages, not " + item.describe());
          } else if (!stageNames.contains(scalar.text())) {
            problems.add(scalar.location(), where + " names unknown stage '" + scalar.text() + "'"
                + ClosestName.suggestion(scalar.text(), stageNames) + "; stages are " + String.join(", ", stageNames));
          } else {
            names.add(scalar.text());
          }
        }
        ImmutableList<String> list = names.build();
        if (items.isEmpty()) {
          problems.add(entry.value().location(), where + " lists no stage; name at least one");
        }
        if (stageNames.contains(entry.key()) && !list.equals(ImmutableList.of(entry.key()))) {
          problems.add(entry.keyLocation(), where + " has the name of a stage but builds " + list
              + "; rename the target (every stage name is already a target)");
        }
        out.put(entry.key(), list);
      }
      return out.buildOrThrow();
    }
  }

  private static void checkKeys(YamlNode.Mapping mapping, ImmutableSet<String> allowed, String where, Problems problems) {
    for (YamlNode.Entry entry : mapping.entries().values()) {
      if (!allowed.contains(entry.key())) {
        problems.add(entry.keyLocation(), where + ": unknown key '" + entry.key() + "'"
            + ClosestName.suggestion(entry.key(), allowed) + "; allowed keys: " + String.join(", ", allowed));
      }
    }
  }

  private static boolean isNull(YamlNode node) {
    return node instanceof YamlNode.Scalar scalar && scalar.isNull();
  }

  private static boolean containsReference(YamlNode node) {
    if (node instanceof YamlNode.Scalar scalar) {
      return scalar.text().contains("${");
    }
    if (node instanceof YamlNode.Sequence sequence) {
      return sequence.items().stream().anyMatch(PipelineLoader::containsReference);
    }
    return ((YamlNode.Mapping) node).entries().values().stream().anyMatch(e -> containsReference(e.value()));
  }
}
