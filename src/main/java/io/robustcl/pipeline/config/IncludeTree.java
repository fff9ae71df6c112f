package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A pipeline file and the files it pulls in with {@code include: [pipelines/rocl.yaml, ...]},
 * depth first in include order (a file's own stages come before those of the files it
 * includes). Include paths are relative to the including file and must stay inside the root
 * file's directory tree (symbolic links are followed before the check), so a pipeline file
 * cannot read {@code ../../etc}. A file may be included once; a second include, a cycle or a
 * missing file is a problem at the {@code include:} entry that names it.
 */
final class IncludeTree {

  /** Keys of the root file. */
  static final ImmutableSet<String> ROOT_KEYS =
      ImmutableSet.of("vars", "profiles", "default_profile", "include", "defaults", "stages", "targets");
  /** Keys of an included file: everything but {@code default_profile}, which only the root chooses. */
  static final ImmutableSet<String> INCLUDED_KEYS =
      ImmutableSet.of("vars", "profiles", "include", "defaults", "stages", "targets");

  /**
   * One file of the tree.
   *
   * @param file the file, as the loader names it in errors (the root as given, includes
   *     resolved against their parent's path)
   * @param root its top-level mapping
   * @param defaults the stage defaults in force for its stages (its own over its includer's)
   */
  record SourceFile(Path file, YamlNode.Mapping root, StageDefaults defaults) {}

  private final SafeYamlReader reader;
  private final Problems problems;
  private final Path treeRoot;
  private final Path lexicalRoot;
  private final List<SourceFile> files = new ArrayList<>();
  private final Map<Path, Location> includedAt = new HashMap<>();
  private final Set<String> stageTypes;

  private IncludeTree(SafeYamlReader reader, Problems problems, Path file, Set<String> stageTypes) {
    this.reader = reader;
    this.stageTypes = stageTypes;
    this.problems = problems;
    this.treeRoot = realDirectory(file);
    Path absolute = file.toAbsolutePath().normalize();
    this.lexicalRoot = absolute.getParent() == null ? absolute : absolute.getParent();
  }

  /** Every file of the tree rooted at {@code file} (already read as {@code root}), root first. */
  static ImmutableList<SourceFile> read(
      Path file, YamlNode.Mapping root, Set<String> stageTypes, SafeYamlReader reader, Problems problems) {
    IncludeTree tree = new IncludeTree(reader, problems, file, stageTypes);
    tree.includedAt.put(real(file), new Location(file, 1, 1));
    tree.visit(file, root, StageDefaults.none(), new ArrayList<>(List.of(file)), true);
    return ImmutableList.copyOf(tree.files);
  }

  private void visit(Path file, YamlNode.Mapping root, StageDefaults inherited, List<Path> chain, boolean isRoot) {
    checkKeys(root, isRoot ? ROOT_KEYS : INCLUDED_KEYS, isRoot ? "top level" : "included file "
        + file.getFileName(), isRoot ? "" : " (default_profile belongs in the top-level file)");
    StageDefaults defaults = inherited.overlay(StageDefaults.parse(root.get("defaults"), stageTypes, problems));
    files.add(new SourceFile(file, root, defaults));
    YamlNode include = root.get("include");
    if (include == null || include instanceof YamlNode.Scalar s && s.isNull()) {
      return;
    }
    List<YamlNode> items = include instanceof YamlNode.Sequence sequence ? sequence.items() : List.of(include);
    for (YamlNode item : items) {
      if (!(item instanceof YamlNode.Scalar scalar) || scalar.isNull() || scalar.text().isBlank()) {
        problems.add(item.location(), "`include` lists pipeline files relative to this one, e.g. "
            + "[pipelines/rocl.yaml], not " + item.describe());
        continue;
      }
      Path child = includedFile(file, scalar);
      if (child == null) {
        continue;
      }
      Path real = real(child);
      int onChain = indexOfReal(chain, real);
      if (onChain >= 0) {
        StringBuilder cycle = new StringBuilder();
        for (Path p : chain.subList(onChain, chain.size())) {
          cycle.append(p).append(" -> ");
        }
        problems.add(scalar.location(), "include cycle: " + cycle + child + "; remove one of these includes");
        continue;
      }
      Location first = includedAt.get(real);
      if (first != null) {
        problems.add(scalar.location(), child + " is included twice (first at " + first
            + "); include each file once, from the file whose defaults it should see");
        continue;
      }
      includedAt.put(real, scalar.location());
      YamlNode childRoot;
      try {
        childRoot = reader.read(child);
      } catch (ConfigException e) {
        e.problems().forEach(problems::add);
        continue;
      }
      if (!(childRoot instanceof YamlNode.Mapping mapping)) {
        problems.add(childRoot.location(), "an included pipeline file must be a mapping with `stages:` (and "
            + "optionally vars, profiles, include, defaults, targets), not " + childRoot.describe());
        continue;
      }
      chain.add(child);
      visit(child, mapping, defaults, chain, false);
      chain.remove(chain.size() - 1);
    }
  }

  private @Nullable Path includedFile(Path from, YamlNode.Scalar scalar) {
    String text = scalar.text();
    Path relative;
    try {
      relative = Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      problems.add(scalar.location(), "include '" + text + "' is not a valid path; name a .yaml file below "
          + treeRoot);
      return null;
    }
    if (relative.isAbsolute()) {
      problems.add(scalar.location(), "include '" + text + "' is absolute; write it relative to " + from.getFileName()
          + " (included files must lie below " + treeRoot + ")");
      return null;
    }
    Path parent = from.getParent();
    Path child = parent == null ? relative : parent.resolve(relative);
    Path normal = child.toAbsolutePath().normalize();
    if (!normal.startsWith(lexicalRoot)) {
      problems.add(scalar.location(), "include '" + text + "' points outside the pipeline's directory " + lexicalRoot
          + "; included files must lie below it (move the file there)");
      return null;
    }
    if (!Files.isRegularFile(child)) {
      problems.add(scalar.location(), "included file " + child + " not found; create it or fix the path"
          + " (it is relative to " + (parent == null ? Path.of(".") : parent) + ")");
      return null;
    }
    if (!real(child).startsWith(treeRoot)) {
      problems.add(scalar.location(), "include '" + text + "' is a link to " + real(child) + ", outside the pipeline's "
          + "directory " + treeRoot + "; included files must lie below it");
      return null;
    }
    return child;
  }

  private void checkKeys(YamlNode.Mapping root, ImmutableSet<String> allowed, String where, String hint) {
    for (YamlNode.Entry entry : root.entries().values()) {
      if (!allowed.contains(entry.key())) {
        problems.add(entry.keyLocation(), where + ": unknown key '" + entry.key() + "'"
            + ClosestName.suggestion(entry.key(), allowed) + "; allowed keys: " + String.join(", ", allowed) + hint);
      }
    }
  }

  private static int indexOfReal(List<Path> chain, Path real) {
    for (int i = 0; i < chain.size(); i++) {
      if (real(chain.get(i)).equals(real)) {
        return i;
      }
    }
    return -1;
  }

  private static Path realDirectory(Path file) {
    Path parent = real(file).getParent();
    return parent == null ? real(file) : parent;
  }

  /** The file with links resolved, or its normalised absolute path if it cannot be resolved. */
  private static Path real(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      return file.toAbsolutePath().normalize();
    }
  }
}
