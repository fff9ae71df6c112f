package io.robustcl.pipeline.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.testing.Fixture;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRunnerTest {

  /** a -> b -> c, a -> d; e alone. b's and a's params come from vars. */
  static final String DIAMOND = """
      vars: {av: 1, aout: "", bv: 1}
      stages:
        a: {type: fake, params: {v: "${av}", out: "${aout}"}}
        b: {type: fake, inputs: {in: [a]}, params: {v: "${bv}"}}
        c: {type: fake, inputs: {in: [b]}, params: {v: 3}}
        d: {type: fake, inputs: {in: [a]}, params: {v: 4}}
        e: {type: fake, params: {v: 5}}
      targets:
        cd: [c, d]
        all: [c, d, e]
      """;

  @TempDir Path tmp;

  @Test
  void secondRunComputesNothing() throws Exception {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    RunReport first = f.run("all");
    assertTrue(first.succeeded());
    assertEquals(5, first.count(StageStatus.DONE));
    verify(f.stage, atLeastOnce()).run(any());
    clearInvocations(f.stage);

    RunReport second = f.run("all");

    verify(f.stage, never()).run(any());
    assertEquals(5, second.count(StageStatus.CACHED));
    assertEquals(first.manifest("c").key(), second.manifest("c").key());
  }

  @Test
  void editingAnExternalInputRerunsItsReaderAndATouchIsCutOffThere() throws Exception {
    Path data = tmp.resolve("data.txt");
    java.nio.file.Files.writeString(data, "first");
    String pipeline = """
        stages:
          a: {type: fake, params: {reads: "%s"}}
          b: {type: fake, inputs: {in: [a]}, params: {v: 2}}
        """.formatted(data);
    Fixture f = new Fixture(tmp).write(pipeline);
    f.run("b");
    assertEquals(List.of("a", "b"), f.stage.ran);

    java.nio.file.Files.writeString(data, "second");
    java.nio.file.Files.setLastModifiedTime(data, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    f.stage.ran.clear();
    assertTrue(f.run("b").succeeded());
    assertEquals(List.of("a", "b"), f.stage.ran, "an edited external file reruns its reader and what follows");

    java.nio.file.Files.setLastModifiedTime(data, java.nio.file.attribute.FileTime.fromMillis(2_000_000));
    assertEquals(0, f.cli("plan", f.file.toString(), "--target", "b", "--cache", f.cache.toString()));
    assertTrue(f.out().contains("external files changed"), f.out());
    f.stage.ran.clear();
    f.run("b");
    assertEquals(List.of("a"), f.stage.ran, "a touched file reruns its reader only: same output, b stays cached");
  }

  @Test
  void onlyTheTargetsClosureRuns() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    RunReport report = f.run("c");
    assertEquals(List.of("a", "b", "c"), f.stage.ran);
    assertEquals(Set.of("a", "b", "c"), report.outcomes().keySet());
  }

  @Test
  void changingOneParamRerunsExactlyItsDownstream() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    f.run("all");
    RunReport report = f.run(RunOptions.of("all"), "bv=2");
    assertEquals(List.of("b", "c"), f.stage.ran);
    assertEquals(StageStatus.CACHED, report.outcomes().get("a").status());
    assertEquals(StageStatus.CACHED, report.outcomes().get("d").status());
    assertEquals(StageStatus.CACHED, report.outcomes().get("e").status());
  }

  @Test
  void upstreamRerunWithIdenticalOutputLeavesDependantsCached() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    RunReport before = f.run(RunOptions.of("all"), "aout=same", "av=1");
    RunReport after = f.run(RunOptions.of("all"), "aout=same", "av=2");
    assertEquals(List.of("a"), f.stage.ran, "a reruns (its params changed), nothing downstream does");
    assertNotEquals(before.manifest("a").key(), after.manifest("a").key());
    assertEquals(before.manifest("a").contentHash(), after.manifest("a").contentHash());
    assertEquals(before.manifest("c").key(), after.manifest("c").key());
  }

  @Test
  void forceRerunsTheStageAndEarlyCutoffSparesItsDependants() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    f.run("all");
    RunReport report = f.run(RunOptions.of("all").withForced("b"));
    assertEquals(List.of("b"), f.stage.ran);
    assertEquals(StageStatus.DONE, report.outcomes().get("b").status());
    assertEquals(StageStatus.CACHED, report.outcomes().get("c").status());
  }

  @Test
  void aThrowingStageLeavesNoArtifactAndTheNextRunRedoesOnlyIt() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    f.stage.failOnce.add("b");
    RunReport failed = f.run(RunOptions.of("cd"));
    assertFalse(failed.succeeded());
    assertEquals(StageStatus.FAILED, failed.outcomes().get("b").status());
    assertEquals(StageStatus.SKIPPED, failed.outcomes().get("c").status());
    assertTrue(f.list("tmp").isEmpty(), "no temporary directory left: " + f.list("tmp"));
    Set<String> committed = new HashSet<>(f.list("artifacts"));
    int before = committed.size();

    RunReport retry = f.run(RunOptions.of("cd"));
    assertTrue(retry.succeeded());
    // fail-fast skipped d after b failed; a stays cached
    assertEquals(List.of("b", "c", "d"), f.stage.ran);
    assertEquals(StageStatus.CACHED, retry.outcomes().get("a").status());
    // the failed attempt committed nothing for b: its key is new now
    assertFalse(committed.contains(retry.manifest("b").key()));
    assertEquals(before + 3, f.list("artifacts").size());
  }

  @Test
  void failFastStartsNothingNewAndKeepGoingRunsWhatDoesNotDependOnTheFailure() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    f.stage.failOnce.add("a");
    RunReport failFast = f.run(RunOptions.of("all"));
    assertEquals(List.of("a"), f.stage.ran, "after a fails, e must not start");
    assertEquals(StageStatus.SKIPPED, failFast.outcomes().get("e").status());

    f.stage.failOnce.add("a");
    RunReport keepGoing = f.run(RunOptions.of("all").withKeepGoing(true));
    assertEquals(List.of("a", "e"), f.stage.ran);
    assertEquals(StageStatus.DONE, keepGoing.outcomes().get("e").status());
    assertEquals(StageStatus.SKIPPED, keepGoing.outcomes().get("d").status());
    assertEquals(StageStatus.SKIPPED, keepGoing.outcomes().get("c").status());
  }

  @Test
  void aFailureCancelsTheOtherRunningStagesAndRemovesTheirTemporaryDirectories() {
    Fixture f = new Fixture(tmp).write("""
        stages:
          slow: {type: fake, params: {v: 1, ms: 30000}}
          bad: {type: fake, params: {v: 2, ms: 300}}
        """);
    f.stage.failOnce.add("bad");
    long start = System.nanoTime();
    RunReport report = f.run(RunOptions.of("slow", "bad").withJobs(2));
    assertTrue(System.nanoTime() - start < 20_000_000_000L, "slow was not cancelled");
    assertEquals(StageStatus.FAILED, report.outcomes().get("bad").status());
    assertEquals(StageStatus.CANCELLED, report.outcomes().get("slow").status());
    assertEquals("stage bad failed", report.cancelReason());
    assertTrue(f.list("tmp").isEmpty(), f.list("tmp").toString());
    assertTrue(f.list("artifacts").isEmpty());
  }

  @Test
  void twoJobsRunIndependentStagesConcurrentlyAndNeverBeforeTheirInputs() {
    Fixture f = new Fixture(tmp).write("""
        stages:
          a: {type: fake, params: {v: 1}}
          b: {type: fake, inputs: {in: [a]}, params: {v: 2, meet: true}}
          c: {type: fake, inputs: {in: [a]}, params: {v: 3, meet: true}}
          d: {type: fake, inputs: {in: [b, c]}, params: {v: 4}}
        """);
    f.stage.barrier = new CyclicBarrier(2);
    RunReport report = f.run(RunOptions.of("d").withJobs(2));
    // b and c each wait at a two-party barrier: they only pass if both run at the same time
    assertTrue(report.succeeded(), report.failures().toString());
    List<String> events = f.stage.events;
    assertTrue(events.indexOf("end:a") < events.indexOf("start:b"));
    assertTrue(events.indexOf("end:a") < events.indexOf("start:c"));
    assertTrue(events.indexOf("end:b") < events.indexOf("start:d"));
    assertTrue(events.indexOf("end:c") < events.indexOf("start:d"));
  }

  @Test
  void oneJobRunsStagesOneAtATime() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    f.run(RunOptions.of("all"));
    List<String> events = f.stage.events;
    for (int i = 0; i < events.size(); i += 2) {
      assertTrue(events.get(i).startsWith("start:") && events.get(i + 1).equals("end:" + events.get(i).substring(6)),
          "interleaved: " + events);
    }
  }

  @Test
  void gpuStagesGetAGpuSlotAndCpuForcesCpu() {
    Fixture f = new Fixture(tmp).write("""
        stages:
          g: {type: write-params, params: {n: 1}, resources: {gpu: 1}}
          c: {type: write-params, params: {n: 2}}
        """);
    RunReport gpu = f.run(RunOptions.of("g", "c").withGpus(2));
    assertEquals("gpu:0", gpu.manifest("g").device());
    assertEquals("cpu", gpu.manifest("c").device());
    RunReport cpu = f.run(RunOptions.of("g").withGpus(2).withDevice(DeviceMode.CPU).withForced("g"));
    assertEquals("cpu", cpu.manifest("g").device());
  }

  @Test
  void aMultiGpuStageIsHandedEverySlotItHoldsAndOthersWaitForFreeOnes() throws Exception {
    Fixture f = new Fixture(tmp).write("""
        stages:
          two: {type: fake, params: {v: 1}, resources: {gpu: 2}}
          one: {type: fake, params: {v: 2}, resources: {gpu: 1}}
          c: {type: fake, params: {v: 3}}
        """);
    RunReport report = f.run(RunOptions.of("two", "one", "c").withGpus(3).withJobs(3));
    assertTrue(report.succeeded());
    assertEquals(List.of("gpu:0", "gpu:1"), f.stage.devices.get("two"));
    assertEquals("gpu:0,1", report.manifest("two").device());
    assertEquals(List.of("gpu:2"), f.stage.devices.get("one"), "the third slot is the one left free");
    assertEquals(List.of("cpu"), f.stage.devices.get("c"));
    // one slot: a gpu:2 stage is given what there is
    Fixture single = new Fixture(java.nio.file.Files.createDirectories(tmp.resolve("single"))).write("""
        stages:
          two: {type: fake, params: {v: 1}, resources: {gpu: 2}}
        """);
    single.run(RunOptions.of("two").withGpus(1));
    assertEquals(List.of("gpu:0"), single.stage.devices.get("two"));
  }

  @Test
  void manifestsRecordDeviceVersionsAndInputs() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    RunReport report = f.run("c");
    Manifest b = report.manifest("b");
    assertEquals("cpu", b.device());
    assertEquals(System.getProperty("java.version"), b.versions().get("java"));
    assertTrue(b.versions().containsKey("robustcl"));
    assertEquals(report.manifest("a").contentHash(), b.inputs().get("in").get(0).contentHash());
    assertEquals(1.0, b.metrics().get("v"));
  }
}
