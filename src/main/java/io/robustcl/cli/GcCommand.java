package io.robustcl.cli;

import com.google.common.collect.ImmutableSet;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.CacheKeys;
import io.robustcl.pipeline.cache.GcReport;
import io.robustcl.pipeline.config.ConfigException;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.pipeline.exec.PlanEntry;
import io.robustcl.pipeline.exec.Planner;
import io.robustcl.pipeline.exec.StageNameIndex;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pipeline gc FILE [--dry-run]}: remove artifacts that no target of the file reaches.
 *
 * <p>Without {@code --target} and {@code --profile}, gc is conservative, because a profile's
 * artifacts can take hours to rebuild: it keeps what every declared target reaches under every
 * profile of the file that loads with the given {@code --set}/{@code --data-dir}, and the last
 * build of every stage name (the {@code names/} index) with the inputs it was built from.
 * {@code --target} or {@code --profile} narrow it to exactly what those reach.
 */
@Command(name = "gc", description = "Remove cached artifacts that no target of the pipeline file reaches "
    + "(default: under any of its profiles, plus each stage's last build; --target/--profile narrow it).")
final class GcCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin PipelineOptions pipeline;
  @Mixin CacheOption cache;

  @Option(names = {"--target", "-t"}, paramLabel = "T", arity = "1..*",
      description = "keep only what these targets reach (default: every declared target)")
  List<String> targets = new ArrayList<>();

  @Option(names = "--dry-run", description = "list what would be removed; remove nothing")
  boolean dryRun;

  private final PipelineLoader loader;
  private final Planner planner;
  private final ArtifactStores stores;

  @Inject
  GcCommand(PipelineLoader loader, Planner planner, ArtifactStores stores) {
    this.loader = loader;
    this.planner = planner;
    this.stores = stores;
  }

  @Override
  public Integer call() {
    PipelineSpec p = loader.load(pipeline.file, pipeline.loadOptions());
    ArtifactStore store = stores.open(cache.dir());
    StageNameIndex names = new StageNameIndex(cache.dir());
    boolean narrow = !targets.isEmpty() || pipeline.profile != null;
    PrintWriter out = spec.commandLine().getOut();
    Set<String> live = new java.util.HashSet<>();
    for (PipelineSpec profile : narrow ? List.of(p) : everyProfile(p, out)) {
      List<String> chosen = targets.isEmpty() ? DagCommand.allTargets(profile) : targets;
      for (PlanEntry e : planner.plan(profile, store, names, chosen, ImmutableSet.of())) {
        if (e.key() != null) {
          live.add(e.key());
        }
      }
    }
    if (!narrow) {
      for (String stage : p.stages().keySet()) {
        names.lastKey(stage).ifPresent(key -> keepWithInputs(key, store, live));
      }
    }
    GcReport report = store.gc(live, dryRun);
    String verb = dryRun ? "would remove" : "removed";
    for (GcReport.Entry e : report.entries()) {
      out.printf("%s %s %s (%d bytes)%n", verb, e.kind().name().toLowerCase(), e.name(), e.bytes());
    }
    report.busy().forEach(k -> out.printf("kept %s (locked by a running process)%n", k));
    out.printf("gc: %s %d entries, %d bytes; kept %d live artifacts%n", verb, report.entries().size(),
        report.totalBytes(), live.size());
    out.flush();
    return 0;
  }

  /** The file under each of its profiles that loads with the given --set; the others are reported and skipped. */
  private List<PipelineSpec> everyProfile(PipelineSpec loaded, PrintWriter out) {
    List<PipelineSpec> specs = new ArrayList<>(List.of(loaded));
    for (String profile : loaded.profiles()) {
      if (profile.equals(loaded.profile())) {
        continue;
      }
      try {
        specs.add(loader.load(pipeline.file, pipeline.loadOptions().withProfile(profile)));
      } catch (ConfigException e) {
        out.printf("gc: profile %s not considered (%s); its stages' last builds are kept%n",
            profile, e.getMessage().lines().findFirst().orElse("does not load"));
      }
    }
    return specs;
  }

  /** Keeps {@code key} and, through the manifests, every artifact it was built from. */
  private static void keepWithInputs(String key, ArtifactStore store, Set<String> live) {
    if (!live.add(key)) {
      return;
    }
    readable(store, key).ifPresent(m -> m.inputs().values().forEach(refs -> refs.forEach(ref -> {
      if (CacheKeys.isValid(ref.key()) && readable(store, ref.key()).isPresent()) {
        keepWithInputs(ref.key(), store, live);
      }
    })));
  }

  /** The manifest of {@code key}, or empty when it is absent or unreadable (verify quarantines those). */
  private static java.util.Optional<io.robustcl.pipeline.cache.Manifest> readable(ArtifactStore store, String key) {
    try {
      return store.lookup(key);
    } catch (io.robustcl.pipeline.cache.ManifestFormatException e) {
      return java.util.Optional.empty();
    }
  }
}
