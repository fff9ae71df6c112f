package io.robustcl.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resources:}: what the launchers need, validated where it is written, never in the key. */
class StageResourcesTest {

  @TempDir Path dir;
  private final PipelineLoader loader = new PipelineLoader(FakeStages.registry());

  private PipelineSpec load(String yaml) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, yaml);
    return loader.load(file, LoadOptions.defaults());
  }

  @Test
  void everyResourceIsReadAndVarsApply() throws Exception {
    PipelineSpec spec = load("""
        vars: {mem: 16G}
        stages:
          data:
            type: dataset
            resources: {gpu: 2, cpus: 8, mem: "${mem}", time: "1-12:00:00", timeout: 90m}
        """);
    assertEquals(new StageResources(2, 8, "16G", "1-12:00:00", Duration.ofMinutes(90)), spec.stage("data").resources());
    assertEquals(2, spec.stage("data").gpus());
  }

  @Test
  void resourcesDoNotChangeTheStagesParams() throws Exception {
    PipelineSpec plain = load("stages:\n  data: {type: dataset}\n");
    PipelineSpec heavy = load("stages:\n  data: {type: dataset, resources: {mem: 4G, timeout: 10s}}\n");
    assertEquals(plain.stage("data").params(), heavy.stage("data").params());
  }

  @Test
  void malformedResourcesAreReportedAtTheirLineWithTheFormSlurmTakes() throws Exception {
    String message = assertThrows(ConfigException.class, () -> load("""
        stages:
          data:
            type: dataset
            resources:
              mem: lots
              time: "soon"
              timeout: 30
              cpu: 4
        """)).getMessage();
    assertTrue(message.contains("p.yaml:5:12: stage 'data': resource 'mem': expected a size"), message);
    assertTrue(message.contains("p.yaml:6:13:") && message.contains("e.g. \"90\" (minutes)"), message);
    assertTrue(message.contains("p.yaml:7:16:") && message.contains("90s, 30m, 12h or 2d"), message);
    assertTrue(message.contains("p.yaml:8:7:") && message.contains("unknown resource 'cpu'") && message.contains("cpus"),
        message);
  }
}
