package io.robustcl.cli.daemon;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which command lines the tool daemon serves: the one place that decides it. Everything else
 * (and every request it refuses) runs in a JVM of its own, as without a daemon.
 *
 * <p>Served: {@code plan}/{@code status}, {@code show}, {@code dag}, {@code stages}, {@code diff},
 * and {@code run} only as the launcher's probe or with {@code --dry-run}: the probe exits 75 before
 * anything computes, and otherwise finishes a fully cached run. Not served: training (native
 * PyTorch memory, crash isolation), {@code run --verify-inputs} (a corrupt artifact it finds is
 * rebuilt, i.e. computed, by the same run), {@code run --cudnn-benchmark} (it sets a system
 * property, which would outlive the request), {@code export} (loads PyTorch), {@code report} (plots),
 * {@code gc} and {@code verify} (long, and nothing to gain), {@code exec-stage}.
 *
 * <p>The daemon also refuses a client whose environment differs from its own in a variable that
 * the engine or the JVM reads at start and that it cannot pass per request: GPUs, the TF32
 * switch, PyTorch's location, JVM options, locale and time zone. {@code ROBUSTCL_DEBUG} and
 * {@code COLUMNS} are passed per request.
 */
final class ToolRoute {

  private static final Set<String> COMMANDS = Set.of("plan", "status", "show", "dag", "stages", "diff", "run");

  /** Variables read by the engine, the stage types or the JVM itself, which a request cannot change. */
  static final List<String> MATCHED = List.of("CUDA_VISIBLE_DEVICES", "NVIDIA_TF32_OVERRIDE", "HOSTNAME",
      "PYTORCH_LIBRARY_PATH", "PYTORCH_FLAVOR", "PYTORCH_VERSION", "ROBUSTCL_JAVA_OPTS", "JAVA_TOOL_OPTIONS",
      "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "TZ", "LANG", "TMPDIR");

  private ToolRoute() {}

  /** Why the daemon does not run {@code args}, or empty when it does. */
  static Optional<String> refusal(List<String> args, boolean probe) {
    String command = args.stream().filter(a -> !a.equals("--debug")).findFirst().orElse("");
    if (!COMMANDS.contains(command)) {
      return Optional.of("'" + command + "' is not a tool command");
    }
    if (command.equals("run")) {
      if (!probe && !args.contains("--dry-run")) {
        return Optional.of("run computes: only its probe or --dry-run is served");
      }
      if (args.contains("--verify-inputs")) {
        return Optional.of("run --verify-inputs may rebuild what it finds corrupt");
      }
      if (args.contains("--cudnn-benchmark")) {
        return Optional.of("run --cudnn-benchmark sets a JVM-wide switch, which would outlive the request");
      }
    }
    return Optional.empty();
  }

  /** The first variable in which {@code client} differs from {@code daemon}, or empty. */
  static Optional<String> environmentMismatch(Map<String, String> client, Map<String, String> daemon) {
    Set<String> names = new TreeSet<>(MATCHED);
    for (Map<String, String> env : List.of(client, daemon)) {
      env.keySet().stream().filter(name -> name.startsWith("LC_")).forEach(names::add);
    }
    return names.stream().filter(name -> !Objects.equals(client.get(name), daemon.get(name)))
        .map(name -> "the environment variable " + name + " differs from the daemon's").findFirst();
  }
}
