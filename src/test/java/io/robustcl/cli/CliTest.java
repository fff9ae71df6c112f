package io.robustcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.testing.Fixture;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the CLI in-process with the engine module plus a fake stage type. */
class CliTest {

  static final String PIPELINE = """
      vars: {bv: 1}
      stages:
        a: {type: fake, params: {v: 1}}
        b: {type: fake, inputs: {in: [a]}, params: {v: "${bv}"}}
        report: {type: write-params, inputs: {after: [b]}, params: {md: "| m | v |\\n|---|---|\\n| b | 1 |"}}
        other: {type: fake, params: {v: 9}}
      targets:
        table: report
      """;

  @TempDir Path tmp;

  Fixture fixture() {
    return new Fixture(tmp).write(PIPELINE);
  }

  String[] run(Fixture f, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "run", f.file.toString(), "--cache", f.cache.toString(), "--results", tmp.resolve("results").toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void runBuildsThenReusesAndPublishesTheTargetsFiles() throws Exception {
    Fixture f = fixture();
    assertEquals(0, f.cli(run(f, "--target", "table")), f.err());
    assertTrue(f.out().contains("done     report"), f.out());
    assertTrue(f.out().contains("3 stages: 0 cached, 3 done"), f.out());
    assertTrue(f.out().contains("== table/out.md =="), f.out());
    assertTrue(f.out().contains("| b | 1 |"), f.out());
    Path published = tmp.resolve("results/table");
    assertTrue(Files.exists(published.resolve("out.md")));
    assertTrue(Files.exists(published.resolve("params.txt")));
    assertFalse(Files.exists(published.resolve("manifest.json")));

    assertEquals(0, f.cli(run(f, "--target", "table")), f.err());
    assertTrue(f.out().contains("3 stages: 3 cached, 0 done"), f.out());
    assertTrue(f.stage.ran.isEmpty());
  }

  @Test
  void planSaysWhatWouldRunAndWhy() {
    Fixture f = fixture();
    assertEquals(0, f.cli("plan", f.file.toString(), "--cache", f.cache.toString(), "--target", "table"));
    assertTrue(f.out().contains("3 stages, 0 cached, 3 to run"), f.out());
    assertTrue(f.out().matches("(?s).*run +a +new.*"), f.out());

    assertEquals(0, f.cli(run(f, "--target", "table")));
    assertEquals(0, f.cli("status", f.file.toString(), "--cache", f.cache.toString(), "--target", "table",
        "--set", "bv=2"));
    assertTrue(f.out().matches("(?s).*cached +a .*"), f.out());
    assertTrue(f.out().matches("(?s).*run +b +param changed: v 1 -> 2.*"), f.out());
    assertTrue(f.out().matches("(?s).*run +report +upstream b reruns.*"), f.out());

    assertEquals(0, f.cli("plan", f.file.toString(), "--cache", f.cache.toString(), "--target", "table", "--explain"));
    assertTrue(f.out().matches("(?s).*\\n  v += 1 +\\(stage \\S*pipeline.yaml:4:47\\).*"), f.out());

    assertEquals(0, f.cli(run(f, "--target", "table", "--dry-run", "--force", "a")));
    assertTrue(f.out().matches("(?s).*run +a +forced.*"), f.out());
    assertTrue(f.stage.ran.isEmpty(), "a dry run runs nothing");
  }

  @Test
  void showPrintsTheManifestAndMetrics() {
    Fixture f = fixture();
    f.cli(run(f, "--target", "b"));
    assertEquals(0, f.cli("show", "b", "--cache", f.cache.toString()), f.err());
    assertTrue(f.out().contains("type      fake"), f.out());
    assertTrue(f.out().contains("in <- a"), f.out());
    assertTrue(f.out().contains("out.txt"), f.out());
    assertTrue(f.out().contains("v = 1.0"), f.out());
    assertEquals(2, f.cli("show", "never-built", "--cache", f.cache.toString()));
    assertTrue(f.err().contains("never been built"), f.err());
  }

  @Test
  void dagPrintsTextAndDot() {
    Fixture f = fixture();
    assertEquals(0, f.cli("dag", f.file.toString()));
    assertTrue(f.out().contains("b (fake)  in <- a"), f.out());
    assertTrue(f.out().contains("target table: report"), f.out());
    assertEquals(0, f.cli("dag", f.file.toString(), "--format", "dot", "--target", "table"));
    assertTrue(f.out().contains("\"a\" -> \"b\" [label=\"in\"];"), f.out());
    assertFalse(f.out().contains("other"), "only the target's closure");
    assertEquals(2, f.cli("dag", f.file.toString(), "--format", "svg"));
  }

  @Test
  void stagesListsTypesParamsAndPorts() {
    Fixture f = fixture();
    assertEquals(0, f.cli("stages"));
    assertTrue(f.out().contains("write-params  (version 1"), f.out());
    assertTrue(f.out().contains("param  sleep_ms       int >= 0 = 0"), f.out());
    assertTrue(f.out().contains("input  in             list of any, optional"), f.out());
  }

  @Test
  void verifyQuarantinesAFlippedByteAndTheNextRunRebuildsIt() throws Exception {
    Fixture f = fixture();
    f.cli(run(f, "--target", "b"));
    String keyA = f.store().lookup(Files.readString(f.cache.resolve("names/a")).trim()).orElseThrow().key();
    Path file = f.store().artifactDir(keyA).resolve("out.txt");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      int first = raf.read();
      raf.seek(0);
      raf.write(first ^ 1);
    }
    assertEquals(1, f.cli("verify", "--cache", f.cache.toString()));
    assertTrue(f.out().contains("corrupt " + keyA), f.out());
    assertTrue(f.out().contains("1 intact, 1 corrupt"), f.out());

    assertEquals(0, f.cli(run(f, "--target", "b")));
    assertEquals(List.of("a"), f.stage.ran, "a is rebuilt, bit-identical, so b stays cached");
    assertEquals(0, f.cli("verify", "--cache", f.cache.toString()));
    assertTrue(f.out().contains("2 intact, 0 corrupt"), f.out());
  }

  @Test
  void gcKeepsWhatTargetsReach() throws Exception {
    Fixture f = fixture();
    f.cli(run(f, "--target", "table", "--target", "other"));
    String oldB = Files.readString(f.cache.resolve("names/b")).trim();
    f.cli(run(f, "--target", "table", "--set", "bv=2"));
    String newB = Files.readString(f.cache.resolve("names/b")).trim();
    assertEquals(6, f.list("artifacts").size()); // a, b, report, other; b and report again

    assertEquals(0, f.cli("gc", f.file.toString(), "--cache", f.cache.toString(), "--set", "bv=2", "--dry-run"));
    assertTrue(f.out().contains("would remove artifact " + oldB), f.out());
    assertEquals(6, f.list("artifacts").size());

    assertEquals(0, f.cli("gc", f.file.toString(), "--cache", f.cache.toString(), "--set", "bv=2",
        "--target", "table"));
    assertEquals(3, f.list("artifacts").size(), f.out());
    assertTrue(f.list("artifacts").contains(newB));
    assertFalse(f.list("artifacts").contains(oldB));
    assertEquals(0, f.cli(run(f, "--target", "table", "--set", "bv=2")));
    assertTrue(f.stage.ran.isEmpty(), "everything the target reaches survived gc");
  }

  @Test
  void gcWithoutTargetOrProfileKeepsEveryProfilesArtifactsAndTheLastBuilds() throws Exception {
    Fixture f = new Fixture(tmp).write("""
        vars: {bv: 1, need: 0}
        profiles:
          small: {bv: 1}
          large: {bv: 2}
          strict: {need: many}
        default_profile: small
        stages:
          a: {type: fake, params: {v: 1}}
          b: {type: fake, inputs: {in: [a]}, params: {v: "${bv}", ms: "${need}"}}
        targets:
          table: b
        """);
    f.cli(run(f, "--target", "table"));
    String smallB = Files.readString(f.cache.resolve("names/b")).trim();
    f.cli(run(f, "--target", "table", "--profile", "large"));
    String largeB = Files.readString(f.cache.resolve("names/b")).trim();
    f.cli(run(f, "--target", "table", "--set", "bv=3"));
    String setB = Files.readString(f.cache.resolve("names/b")).trim();
    assertEquals(4, f.list("artifacts").size());

    assertEquals(0, f.cli("gc", f.file.toString(), "--cache", f.cache.toString()));
    assertTrue(f.out().contains("profile strict not considered"), f.out());
    String a = Files.readString(f.cache.resolve("names/a")).trim();
    assertEquals(java.util.Set.of(a, smallB, largeB, setB), java.util.Set.copyOf(f.list("artifacts")),
        "each profile's b and the last build (bv=3) survive");

    assertEquals(0, f.cli("gc", f.file.toString(), "--cache", f.cache.toString(), "--profile", "large"));
    assertEquals(2, f.list("artifacts").size(), f.out());
    assertTrue(f.list("artifacts").contains(largeB));
  }

  @Test
  void aFailingStageExitsOne() {
    Fixture f = fixture();
    f.stage.failOnce.add("b");
    assertEquals(1, f.cli(run(f, "--target", "table")));
    assertTrue(f.out().contains("FAILED   b"), f.out());
    assertTrue(f.err().contains("stage b failed: fake failure of b"), f.err());
    assertFalse(Files.exists(tmp.resolve("results/table")), "no results after a failure");
  }

  @Test
  void unknownTargetExitsTwoListingTheKnownTargets() {
    Fixture f = fixture();
    assertEquals(2, f.cli(run(f, "--target", "table2")));
    assertTrue(f.err().contains("target 'table2' is not defined"), f.err());
    assertTrue(f.err().contains("declared targets: table"), f.err());
    assertFalse(f.err().contains("Exception"), f.err());
  }

  @Test
  void badConfigExitsTwoWithFileAndLineAndNoStackTrace() {
    Fixture f = new Fixture(tmp).write("""
        stages:
          a: {type: fake, params: {v: 1}}
          b: {type: no-such-type}
        """);
    assertEquals(2, f.cli(run(f, "--target", "a")));
    assertTrue(f.err().contains("pipeline.yaml:3:"), f.err());
    assertTrue(f.err().contains("no-such-type"), f.err());
    assertFalse(f.err().contains("\tat "), f.err());

    f.write(PIPELINE);
    assertEquals(2, f.cli(run(f, "--target", "a", "--jobs", "0")));
    assertEquals(2, f.cli(run(f, "--target", "a", "--device", "tpu")));
    assertEquals(2, f.cli("run", f.file.toString()), "--target is required");
    assertEquals(2, f.cli(run(f, "--target", "a", "--force", "zzz")));
    assertTrue(f.err().contains("--force zzz"), f.err());
  }

  @Test
  void noTf32WithoutTheEnvironmentVariableIsAUsageErrorNamingTheFix() {
    Fixture f = fixture();
    org.junit.jupiter.api.Assumptions.assumeFalse("0".equals(System.getenv("NVIDIA_TF32_OVERRIDE")));
    assertEquals(2, f.cli(run(f, "--target", "table", "--no-tf32")));
    assertTrue(f.err().contains("NVIDIA_TF32_OVERRIDE=0 must be in the environment"), f.err());
    assertTrue(f.stage.ran.isEmpty());
  }

  @Test
  void underTheLaunchersProbeARunThatMustComputeExitsBeforeRunningAndACachedOneCompletes() {
    Fixture f = fixture();
    System.setProperty(RunCommand.EXIT_IF_COMPUTING, "75");
    try {
      assertEquals(75, f.cli(run(f, "--target", "table")), f.err());
      assertTrue(f.stage.ran.isEmpty(), "nothing ran: " + f.stage.ran);
      System.clearProperty(RunCommand.EXIT_IF_COMPUTING);
      assertEquals(0, f.cli(run(f, "--target", "table")), f.err());
      System.setProperty(RunCommand.EXIT_IF_COMPUTING, "75");
      f.stage.ran.clear();
      assertEquals(0, f.cli(run(f, "--target", "table")), f.err());
      assertTrue(f.out().contains("3 stages: 3 cached, 0 done"), f.out());
    } finally {
      System.clearProperty(RunCommand.EXIT_IF_COMPUTING);
    }
  }

  @Test
  void badPipelineLanguageInputExitsTwoWithFileAndLineAndNoStackTrace() throws Exception {
    Fixture f = new Fixture(tmp);
    Files.writeString(tmp.resolve("loop.yaml"), "include: [pipeline.yaml]\n");
    for (String[] bad : List.of(
        new String[] {"stages:\n  a: {type: fake, matrix: {v: []}}\n", "pipeline.yaml:2:", "empty list"},
        new String[] {"stages:\n  a: {type: fake, params: {v: \"${item.v}\"}, matrix: {w: [1]}}\n", "pipeline.yaml:2:",
            "${item.v} is undefined"},
        new String[] {"include: [loop.yaml]\nstages: {}\n", "loop.yaml:1:", "include cycle"},
        new String[] {"include: [missing.yaml]\nstages: {}\n", "pipeline.yaml:1:", "not found"},
        new String[] {"include: [../../etc/passwd]\nstages: {}\n", "pipeline.yaml:1:", "outside the pipeline's directory"},
        new String[] {"stages:\n  a: {type: fake, matrix: {v: [1, 2]}, name: x}\n", "pipeline.yaml:2:", "both generate"},
        new String[] {"stages:\n  a: {type: fake, matrix: {v: [" + "1, ".repeat(400) + "1], w: [" + "1, ".repeat(300)
            + "1]}}\n", "pipeline.yaml:2:", "more than the 100000"})) {
      f.write(bad[0]);
      assertEquals(2, f.cli(run(f, "--target", "a")), bad[0]);
      assertTrue(f.err().contains(bad[1]) && f.err().contains(bad[2]), f.err());
      assertFalse(f.err().contains("\tat ") || f.err().contains("Exception"), f.err());
    }
  }

  static final String MATRIX = """
      vars: {bv: 1}
      stages:
        a: {type: fake, params: {v: 1}}
        cell:
          type: fake
          matrix: {v: [1, 2, 3]}
          inputs: {in: [a]}
          params: {v: "${item.v}"}
        t1: {type: fake, inputs: {in: [cell]}, params: {v: 10}}
        t2: {type: fake, inputs: {in: [a]}, params: {v: "${bv}"}}
      targets:
        all: [t1, t2]
      """;

  @Test
  void dagFoldsAMatrixGroupIntoOneNodeUnlessExpandedAndDrawsMermaid() {
    Fixture f = new Fixture(tmp).write(MATRIX);
    assertEquals(0, f.cli("dag", f.file.toString()));
    assertTrue(f.out().contains("cell ×3 (fake)  in <- a"), f.out());
    assertTrue(f.out().contains("t1 (fake)  in <- cell\n"), f.out());
    assertFalse(f.out().contains("cell@1"), f.out());
    assertEquals(0, f.cli("dag", f.file.toString(), "--expand"));
    assertTrue(f.out().contains("t1 (fake)  in <- cell@1, cell@2, cell@3"), f.out());
    assertEquals(0, f.cli("dag", f.file.toString(), "--format", "mermaid"));
    assertTrue(f.out().startsWith("flowchart LR\n"), f.out());
    assertTrue(f.out().contains("  n1[[\"cell ×3<br/>(fake)\"]]"), f.out());
    assertTrue(f.out().contains("  n0 -->|in| n1"), f.out());
    assertEquals(0, f.cli("dag", f.file.toString(), "--format", "dot"));
    assertTrue(f.out().contains("\"cell\" [label=\"cell ×3\\n(fake)\", shape=box3d];"), f.out());
    assertEquals(0, f.cli("dag", f.file.toString(), "--target", "cell@2"));
    assertTrue(f.out().contains("cell@2 (fake)  in <- a"), "a group with one stage in view is that stage: " + f.out());
  }

  @Test
  void planReportsTheStagesTheGoalsShare() {
    Fixture f = new Fixture(tmp).write(MATRIX);
    assertEquals(0, f.cli("plan", f.file.toString(), "--cache", f.cache.toString(), "--target", "all"));
    assertTrue(f.out().contains("shared: 2 goals need 6 stages (5 distinct keys); 1 of them is shared by two or more "
        + "goals: a"), f.out());
  }

  @Test
  void aSweepRunsOncePerValueIntoItsOwnResultsAndSharesWhatDoesNotDependOnIt() {
    Fixture f = new Fixture(tmp).write(MATRIX);
    assertEquals(0, f.cli("plan", f.file.toString(), "--cache", f.cache.toString(), "--target", "t2", "--set", "bv=1,2"));
    assertTrue(f.out().contains("== sweep point bv=1 =="), f.out());
    assertTrue(f.out().contains("sweep: 2 points need 3 distinct stages; 1 stages are the same at every point"), f.out());
    assertEquals(0, f.cli(run(f, "--target", "t2", "--set", "bv=1,2")), f.err());
    assertEquals(List.of("a", "t2", "t2"), f.stage.ran, "a is built once");
    assertTrue(Files.isDirectory(tmp.resolve("results/bv=1/t2")) && Files.isDirectory(tmp.resolve("results/bv=2/t2")));
    assertEquals(2, f.cli("dag", f.file.toString(), "--set", "bv=1,2"), "dag does not sweep");
    assertTrue(f.err().contains("sweeps only in `run` and `plan`"), f.err());
    assertEquals(List.of("[1, 2]"), Sweep.split("[1, 2]", "x"), "no sweep inside brackets");
    assertEquals(List.of("'a, b'"), Sweep.split("'a, b'", "x"), "nor inside quotes");
    assertEquals(List.of("[1, 2]", "'a, b'"), Sweep.split("[1, 2],'a, b'", "x"));
  }
}
