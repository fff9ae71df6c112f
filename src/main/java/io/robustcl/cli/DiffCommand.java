package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.WorkingDirectory;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.cache.InputRef;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.exec.ArtifactStores;
import io.robustcl.pipeline.exec.ChangeExplainer;
import io.robustcl.pipeline.exec.Planner;
import io.robustcl.report.ReportSource;
import io.robustcl.report.ReportStage;
import io.robustcl.report.RunDiff;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pipeline diff FILE --target T [--profile A --profile B | --set k=v ... | --cache D1 --cache D2]}:
 * the table cells and metrics of two configurations (or two caches) side by side, and which
 * stages differ and why. Reads the caches only.
 */
@Command(name = "diff", description = "Compare the cells and metrics of two profiles, of --set overrides, or of two caches.")
final class DiffCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", defaultValue = "pipelines.yaml", description = "the pipeline file (default: ${DEFAULT-VALUE})")
  Path file;

  @Option(names = {"--target", "-t"}, required = true, paramLabel = "T", arity = "1..*", description = "targets to compare")
  List<String> targets = new ArrayList<>();

  @Option(names = "--profile", paramLabel = "P", description = "one profile (both sides) or two (old, then new)")
  List<String> profiles = new ArrayList<>();

  @Option(names = "--set", paramLabel = "k=v", description = "overrides of the new side (repeatable)")
  List<String> sets = new ArrayList<>();

  @Option(names = "--data-dir", paramLabel = "DIR", description = "shorthand for --set data_dir=<absolute DIR>, both sides")
  @Nullable Path dataDir;

  @Option(names = "--cache", paramLabel = "DIR", description = "one cache (both sides, default: cache) or two (old, then new)")
  List<Path> caches = new ArrayList<>();

  @Option(names = "--format", paramLabel = "md|csv|json", description = "output format (default: ${DEFAULT-VALUE})")
  String format = "md";

  private final PipelineLoader loader;
  private final Planner planner;
  private final ArtifactStores stores;
  private final Map<String, Stage> stageTypes;
  private final WorkingDirectory workDir;

  @Inject
  DiffCommand(PipelineLoader loader, Planner planner, ArtifactStores stores, Map<String, Stage> stageTypes,
      WorkingDirectory workDir) {
    this.workDir = workDir;
    this.loader = loader;
    this.planner = planner;
    this.stores = stores;
    this.stageTypes = stageTypes;
  }

  @Override
  public Integer call() {
    if (!List.of("md", "csv", "json").contains(format)) {
      throw new Commands.UsageException("--format " + format + ": expected md, csv or json");
    }
    if (profiles.size() > 2 || caches.size() > 2) {
      throw new Commands.UsageException("give at most two --profile and two --cache (old, then new)");
    }
    boolean twoProfiles = profiles.size() == 2;
    boolean twoCaches = caches.size() == 2;
    if (twoProfiles && !sets.isEmpty()) {
      throw new Commands.UsageException("compare two profiles or --set overrides, not both");
    }
    if (!twoProfiles && sets.isEmpty() && !twoCaches) {
      throw new Commands.UsageException("say what to compare: --profile A --profile B, or --set k=v..., "
          + "or --cache DIR1 --cache DIR2 (with either of the others, the second cache holds the new side)");
    }
    PipelineOptions oldSide = side(twoProfiles ? profiles.get(0) : single(), List.of());
    PipelineOptions newSide = side(twoProfiles ? profiles.get(1) : single(), sets);
    Path oldCache = caches.isEmpty() ? workDir.resolve(CacheOption.DEFAULT) : caches.get(0);
    Path newCache = caches.isEmpty() ? oldCache : caches.get(caches.size() - 1);
    PipelineSpec oldSpec = loader.load(file, oldSide.loadOptions());
    PipelineSpec newSpec = loader.load(file, newSide.loadOptions());
    ReportSource before = Reports.source(oldSpec, planner, stores.open(oldCache), oldCache, targets, Map.of(),
        Reports.buildCommand(oldSide, oldCache, targets, workDir));
    ReportSource after = Reports.source(newSpec, planner, stores.open(newCache), newCache, targets, Map.of(),
        Reports.buildCommand(newSide, newCache, targets, workDir));
    RunDiff diff = RunDiff.of(label(oldSide, oldCache, twoCaches), before, label(newSide, newCache, twoCaches), after,
        reasons(before, after, newSpec));
    PrintWriter out = spec.commandLine().getOut();
    out.print(switch (format) {
      case "csv" -> diff.csv();
      case "json" -> diff.json();
      default -> diff.markdown();
    });
    List<String> missing = new ArrayList<>();
    for (ReportSource side : List.of(before, after)) {
      if (side.stages().stream().anyMatch(s -> !s.present())) {
        missing.add(side.buildCommand());
      }
    }
    if (!missing.isEmpty() && format.equals("md")) {
      out.println("\nSome artifacts are not in the cache (\"missing\"); build them with:");
      missing.forEach(c -> out.println("  " + c));
    }
    out.flush();
    return 0;
  }

  private @Nullable String single() {
    return profiles.isEmpty() ? null : profiles.get(0);
  }

  private PipelineOptions side(@Nullable String profile, List<String> overrides) {
    PipelineOptions side = new PipelineOptions();
    side.file = file;
    side.profile = profile;
    side.sets = new ArrayList<>(overrides);
    side.dataDir = dataDir;
    return side;
  }

  private String label(PipelineOptions side, Path cache, boolean byCache) {
    if (byCache) {
      return "cache " + workDir.shown(cache);
    }
    String profile = side.profile == null ? "default profile" : "profile " + side.profile;
    return side.sets.isEmpty() ? profile : profile + " --set " + String.join(" --set ", side.sets);
  }

  /** Why each stage's key differs, as {@code plan} explains a change (old manifest against the new stage). */
  private Map<String, ImmutableList<String>> reasons(ReportSource before, ReportSource after, PipelineSpec newSpec) {
    Map<String, ImmutableList<String>> out = new LinkedHashMap<>();
    for (ReportStage b : after.stages()) {
      ReportStage a = before.stage(b.name()).orElse(null);
      if (a == null || a.key() == null || a.key().equals(b.key())) {
        continue;
      }
      Manifest oldManifest = a.manifest();
      Map<String, List<String>> hashes = null;
      if (b.manifest() != null) {
        hashes = new LinkedHashMap<>();
        for (var port : b.manifest().inputs().entrySet()) {
          hashes.put(port.getKey(), port.getValue().stream().map(InputRef::contentHash).toList());
        }
      }
      Stage stage = stageTypes.get(b.type());
      out.put(b.name(), ChangeExplainer.reasons(a.key(), oldManifest, b.key(), b.type(),
          stage == null ? -1 : stage.version(), newSpec.stage(b.name()).params(), hashes));
    }
    return out;
  }
}
