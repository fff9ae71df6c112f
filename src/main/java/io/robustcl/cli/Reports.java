package io.robustcl.cli;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.robustcl.pipeline.WorkingDirectory;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.config.StageSpec;
import io.robustcl.pipeline.exec.PlanEntry;
import io.robustcl.pipeline.exec.Planner;
import io.robustcl.pipeline.exec.StageNameIndex;
import io.robustcl.pipeline.graph.DagView;
import io.robustcl.report.ReportSource;
import io.robustcl.report.ReportStage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Gathers a report's {@link ReportSource} from the cache: the plan says which artifacts exist. */
final class Reports {

  private Reports() {}

  /**
   * The targets' closure as the cache has it; nothing runs.
   *
   * @param lastRun stage name to what the run that just ended did with it, or empty
   * @param buildCommand the command that builds whatever is missing
   */
  static ReportSource source(PipelineSpec spec, Planner planner, ArtifactStore store, Path cacheDir,
      List<String> targets, Map<String, String> lastRun, String buildCommand) {
    List<PlanEntry> plan = planner.plan(spec, store, new StageNameIndex(cacheDir), targets, ImmutableSet.of());
    ImmutableList.Builder<ReportStage> stages = ImmutableList.builder();
    for (PlanEntry entry : plan) {
      StageSpec stage = spec.stage(entry.stageName());
      List<String> upstream = new ArrayList<>();
      stage.inputs().values().forEach(froms -> froms.forEach(from -> {
        if (!upstream.contains(from)) {
          upstream.add(from);
        }
      }));
      @Nullable Manifest manifest = entry.willRun() || entry.key() == null ? null : store.lookup(entry.key()).orElse(null);
      stages.add(new ReportStage(stage.name(), stage.type(), ImmutableList.copyOf(upstream), entry.key(), manifest,
          manifest == null ? null : store.artifactDir(entry.key()), entry.reasons(), lastRun.get(stage.name())));
    }
    ImmutableList<ReportStage> closure = stages.build();
    return new ReportSource(spec.file(), ImmutableList.copyOf(targets),
        spec.profile() == null ? "(none)" : spec.profile(), buildCommand, closure,
        DagView.of(spec, closure.stream().map(ReportStage::name).toList(), false));
  }

  /** {@code ./pipeline run FILE --target T... [--profile P] [--set k=v]... [--cache DIR]}. */
  static String buildCommand(PipelineOptions pipeline, Path cacheDir, List<String> targets, WorkingDirectory workDir) {
    List<String> words = new ArrayList<>(List.of("./pipeline", "run", workDir.shown(pipeline.file)));
    targets.forEach(t -> words.addAll(List.of("--target", t)));
    if (pipeline.profile != null) {
      words.addAll(List.of("--profile", pipeline.profile));
    }
    pipeline.sets.forEach(s -> words.addAll(List.of("--set", s)));
    if (pipeline.dataDir != null) {
      words.addAll(List.of("--data-dir", workDir.shown(pipeline.dataDir)));
    }
    if (!cacheDir.equals(workDir.resolve(CacheOption.DEFAULT))) {
      words.addAll(List.of("--cache", workDir.shown(cacheDir)));
    }
    return String.join(" ", words);
  }
}
