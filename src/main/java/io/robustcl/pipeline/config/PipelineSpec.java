package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A validated pipeline file: every stage type exists, every param is typed and in range,
 * every input is wired to a stage of an accepted kind, there is no cycle.
 *
 * @param file the pipeline file as given to the loader
 * @param profile the profile whose vars were applied, or null if none
 * @param profiles every profile the file declares, in file order
 * @param vars resolved vars (file defaults, then the profile, then {@code --set}) in the
 *     normal form of {@link io.robustcl.pipeline.Params} values
 * @param stages the stages in file order
 * @param targets the targets declared under {@code targets:}, in file order, each to the
 *     stage names it builds; every stage name is a target too (see {@link #target})
 * @param groups every matrix stage's name -> the stages it generated, in generation order;
 *     a group name is a target too
 */
public record PipelineSpec(
    Path file,
    @Nullable String profile,
    ImmutableList<String> profiles,
    ImmutableMap<String, Object> vars,
    ImmutableMap<String, StageSpec> stages,
    ImmutableMap<String, ImmutableList<String>> targets,
    ImmutableMap<String, ImmutableList<String>> groups) {

  /** A pipeline without matrix groups. */
  public PipelineSpec(Path file, @Nullable String profile, ImmutableList<String> profiles,
      ImmutableMap<String, Object> vars, ImmutableMap<String, StageSpec> stages,
      ImmutableMap<String, ImmutableList<String>> targets) {
    this(file, profile, profiles, vars, stages, targets, ImmutableMap.of());
  }

  /**
   * The stage called {@code name}.
   *
   * @throws IllegalArgumentException naming the known stages if there is none
   */
  public StageSpec stage(String name) {
    StageSpec spec = stages.get(name);
    if (spec == null) {
      throw new IllegalArgumentException(
          "no stage '" + name + "' in " + file + ClosestName.suggestion(name, stages.keySet())
              + "; stages are " + stages.keySet());
    }
    return spec;
  }

  /**
   * The stages a target builds: a declared target's stages, or the stage of that name.
   *
   * @throws ConfigException listing the known targets if {@code name} is neither
   */
  public ImmutableList<String> target(String name) {
    ImmutableList<String> declared = targets.get(name);
    if (declared != null) {
      return declared;
    }
    if (stages.containsKey(name)) {
      return ImmutableList.of(name);
    }
    ImmutableList<String> group = groups.get(name);
    if (group != null) {
      return group;
    }
    Set<String> known = new LinkedHashSet<>(targets.keySet());
    known.addAll(groups.keySet());
    known.addAll(stages.keySet());
    throw new ConfigException(
        "target '" + name + "' is not defined in " + file + ClosestName.suggestion(name, known)
            + "; declared targets: " + (targets.isEmpty() ? "(none)" : String.join(", ", targets.keySet()))
            + (groups.isEmpty() ? "" : "; matrix groups: " + String.join(", ", groups.keySet()))
            + "; any stage name is a target too: " + String.join(", ", stages.keySet()));
  }

  /** The union of the stages of {@code targetNames}, in first-seen order, without repeats. */
  public ImmutableList<String> targetStages(Collection<String> targetNames) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String name : targetNames) {
      out.addAll(target(name));
    }
    return ImmutableList.copyOf(out);
  }
}
