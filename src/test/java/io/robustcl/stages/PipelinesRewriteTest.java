package io.robustcl.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.config.LoadOptions;
import io.robustcl.pipeline.config.PipelineLoader;
import io.robustcl.pipeline.config.PipelineSpec;
import io.robustcl.pipeline.graph.DefinitionKeys;
import io.robustcl.pipeline.graph.KeyEncoder;
import io.robustcl.pipeline.graph.StageGraph;
import io.robustcl.pipeline.graph.StageKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rewrite of pipelines.yaml into include/defaults/matrix form (issue 7) changes no stage
 * of RoCL tables 1 and 2: the pipeline file as it was before (a test resource) and today's
 * give every stage of those tables the same name and the same key.
 */
class PipelinesRewriteTest {

  private static final List<String> TABLES = List.of("rocl-table1", "rocl-table2", "rocl-table1-full");

  @TempDir Path dir;

  /** The old single-file pipeline, next to a copy of today's presets (it reads stages/). */
  private Path oldPipeline() throws IOException {
    Path file = dir.resolve("pipelines.yaml");
    try (InputStream in = PipelinesRewriteTest.class.getResourceAsStream("pipelines-before-issue7.yaml")) {
      Files.copy(in, file);
    }
    Files.createDirectories(dir.resolve("stages"));
    try (Stream<Path> presets = Files.list(Path.of("stages"))) {
      for (Path preset : presets.toList()) {
        Files.copy(preset, dir.resolve("stages").resolve(preset.getFileName()));
      }
    }
    return file;
  }

  private static Map<String, String> tableKeys(PipelineSpec spec, Map<String, Stage> types) {
    ImmutableMap<String, StageKey> keys = DefinitionKeys.of(spec, types, new KeyEncoder());
    Map<String, String> out = new TreeMap<>();
    for (String stage : StageGraph.of(spec).closure(spec.targetStages(TABLES))) {
      out.put(stage, keys.get(stage).hex());
    }
    return out;
  }

  @ParameterizedTest
  // not `paper`: since ASCL's and RUSH's tables are wired, it validates CIFAR-100 and STL-10 under
  // --data-dir at load, and ../shared/data holds CIFAR-10 only
  @ValueSource(strings = {"tiny", "micro", "cifar-cpu"})
  void everyStageOfRoclTables1And2KeepsItsNameAndKey(String profile) throws IOException {
    Map<String, Stage> types = PipelinesFileTest.stageTypes();
    PipelineLoader loader = new PipelineLoader(types);
    LoadOptions options = LoadOptions.defaults().withProfile(profile);
    if (profile.equals("paper") || profile.equals("cifar-cpu")) {
      Path data = Path.of("../shared/data");
      Assumptions.assumeTrue(Files.isDirectory(data.resolve("cifar-10-batches-bin")), "CIFAR-10 subset absent");
      options = options.withVar("data_dir", "\"" + data.toAbsolutePath().normalize() + "\"");
    }
    PipelineSpec old = loader.load(oldPipeline(), options);
    Map<String, String> before = tableKeys(old, types);
    Map<String, String> after = tableKeys(loader.load(PipelinesFileTest.PIPELINES, options), types);
    assertEquals(old.stages().size(), before.size(), "the three tables reach every stage of the old file");
    assertEquals(before, after);
    assertTrue(Files.readAllLines(PipelinesFileTest.PIPELINES).size() * 5 < Files.readAllLines(old.file()).size(),
        "the top-level file shrinks more than fivefold");
  }
}
