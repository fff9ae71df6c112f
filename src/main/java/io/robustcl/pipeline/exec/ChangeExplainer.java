package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.cache.InputRef;
import io.robustcl.pipeline.cache.Manifest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Says why a stage must run, by comparing what its key is made of now with the manifest of
 * the key it last had ({@link StageNameIndex}); also what `pipeline diff` says of two
 * configurations.
 */
public final class ChangeExplainer {

  private ChangeExplainer() {}

  /**
   * The reasons, e.g. {@code ["param changed: lr 0.1 -> 0.2", "input changed: data"]}.
   *
   * @param lastKey the stage name's last key, or null if it never ran against this cache
   * @param last that key's manifest, or null if it is no longer in the cache
   * @param key the key it has now, or null while an upstream stage must rerun first
   * @param inputHashes per port, the content hashes feeding it now, or null with {@code key}
   */
  public static ImmutableList<String> reasons(
      @Nullable String lastKey,
      @Nullable Manifest last,
      @Nullable String key,
      String type,
      int version,
      io.robustcl.pipeline.Params params,
      @Nullable Map<String, ? extends List<String>> inputHashes) {
    if (lastKey == null) {
      return ImmutableList.of("new");
    }
    if (lastKey.equals(key)) {
      return ImmutableList.of("missing: its artifact " + key.substring(0, 12) + " is no longer in the cache");
    }
    if (last == null) {
      return ImmutableList.of("changed: its last artifact " + lastKey.substring(0, 12) + " is no longer in the cache");
    }
    ImmutableList.Builder<String> out = ImmutableList.builder();
    if (!last.stageType().equals(type)) {
      out.add("type changed: " + last.stageType() + " -> " + type);
    } else if (last.stageVersion() != version) {
      out.add("version changed: " + type + " " + last.stageVersion() + " -> " + version);
    }
    Map<String, Object> before = last.params().asMap();
    Map<String, Object> now = params.asMap();
    for (String name : new TreeSet<>(union(before.keySet(), now.keySet()))) {
      Object a = before.get(name);
      Object b = now.get(name);
      if (!Objects.equals(a, b)) {
        out.add("param changed: " + name + " " + shown(a) + " -> " + shown(b));
      }
    }
    if (inputHashes == null) {
      return out.build();
    }
    TreeSet<String> ports = new TreeSet<>(last.inputs().keySet());
    ports.addAll(inputHashes.keySet());
    for (String port : ports) {
      List<String> was = last.inputs().getOrDefault(port, ImmutableList.of()).stream()
          .map(InputRef::contentHash).toList();
      List<String> is = inputHashes.containsKey(port) ? List.copyOf(inputHashes.get(port)) : List.of();
      if (!was.equals(is)) {
        out.add(port.equals(ExternalInputs.PORT) ? "external files changed" : "input changed: " + port);
      }
    }
    ImmutableList<String> reasons = out.build();
    return reasons.isEmpty() ? ImmutableList.of("key changed") : reasons;
  }

  private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    TreeSet<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static String shown(@Nullable Object value) {
    if (value == null) {
      return "(unset)";
    }
    return value instanceof String s ? "'" + s + "'" : value.toString();
  }
}
