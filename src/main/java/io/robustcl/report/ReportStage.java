package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.cache.Manifest;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * One stage of the report's closure as the cache has it.
 *
 * @param name the stage's name in the pipeline file
 * @param type its stage type
 * @param upstream the stages wired to its inputs, in port order
 * @param key its key, or null while an upstream artifact is missing (the key depends on it)
 * @param manifest its committed artifact's manifest, or null when the cache lacks it
 * @param dir the committed artifact's directory, or null when missing
 * @param whyMissing why it would run (the plan's reasons); empty when present
 * @param lastRun what the run that wrote this report did with it ({@code cached}, {@code done}),
 *     or null when the report was made by {@code pipeline report}
 */
public record ReportStage(
    String name,
    String type,
    ImmutableList<String> upstream,
    @Nullable String key,
    @Nullable Manifest manifest,
    @Nullable Path dir,
    ImmutableList<String> whyMissing,
    @Nullable String lastRun) {

  public boolean present() {
    return manifest != null;
  }
}
