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

import io.robustcl.pipeline.cache.ArtifactStore;
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
  void editingAnExternalInputRerunsItsReaderAndATouchRerunsNothing() throws Exception {
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

    // same size, modification time put back: only the contents tell
    java.nio.file.attribute.FileTime mtime = java.nio.file.Files.getLastModifiedTime(data);
    java.nio.file.Files.writeString(data, "fir5t");
    java.nio.file.Files.setLastModifiedTime(data, mtime);
    assertEquals(0, f.cli("plan", f.file.toString(), "--target", "b", "--cache", f.cache.toString()));
    assertTrue(f.out().contains("external files changed"), f.out());
    f.stage.ran.clear();
    assertTrue(f.run("b").succeeded());
    assertEquals(List.of("a", "b"), f.stage.ran, "an edited external file reruns its reader and what follows");

    java.nio.file.Files.setLastModifiedTime(data, java.nio.file.attribute.FileTime.fromMillis(2_000_000));
    assertEquals(0, f.cli("plan", f.file.toString(), "--target", "b", "--cache", f.cache.toString()));
    assertFalse(f.out().contains("external files changed"), f.out());
    f.stage.ran.clear();
    f.run("b");
    assertEquals(List.of(), f.stage.ran, "a touched file with the same bytes reruns nothing, as in DVC");
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

  /**
   * r feeds a 60-wide fan-out w0..w59 and a 30-deep chain d0..d29, declared interleaved; join
   * reads every w and the chain's end; after reads join.
   */
  static String wideAndDeep() {
    StringBuilder yaml = new StringBuilder("stages:\n  r: {type: fake, params: {v: 0}}\n");
    List<String> wide = new java.util.ArrayList<>();
    for (int i = 0; i < 60; i++) {
      yaml.append("  w").append(i).append(": {type: fake, inputs: {in: [r]}, params: {v: ").append(100 + i).append("}}\n");
      wide.add("w" + i);
      if (i < 30) {
        yaml.append("  d").append(i).append(": {type: fake, inputs: {in: [").append(i == 0 ? "r" : "d" + (i - 1))
            .append("]}, params: {v: ").append(200 + i).append("}}\n");
      }
    }
    yaml.append("  join: {type: fake, inputs: {in: [").append(String.join(", ", wide)).append(", d29]}, params: {v: 1}}\n");
    yaml.append("  after: {type: fake, inputs: {in: [join]}, params: {v: 2}}\n");
    return yaml.toString();
  }

  @Test
  void atOneJobAWideAndDeepDagRunsInExactlyItsTopologicalOrder() {
    Fixture f = new Fixture(tmp).write(wideAndDeep());
    RunReport report = f.run(RunOptions.of("after"));
    assertTrue(report.succeeded(), report.failures().toString());
    List<String> order = io.robustcl.pipeline.graph.StageGraph.of(f.load()).closure(List.of("after"));
    assertEquals(93, order.size());
    // not first-come-first-served: the earliest ready stage in the run's order always starts next
    assertEquals(order, f.stage.ran);
  }

  @Test
  void atThreeJobsNoStageStartsBeforeItsInputsEndAndAtMostThreeRun() {
    Fixture f = new Fixture(tmp).write(wideAndDeep().replace("params: {v: 1", "params: {ms: 1, v: 1"));
    RunReport report = f.run(RunOptions.of("after").withJobs(3));
    assertTrue(report.succeeded(), report.failures().toString());
    List<String> events = List.copyOf(f.stage.events);
    assertEquals(93, new HashSet<>(f.stage.ran).size());
    assertEquals(93, f.stage.ran.size(), "each stage ran once");
    io.robustcl.pipeline.graph.StageGraph graph = io.robustcl.pipeline.graph.StageGraph.of(f.load());
    for (String stage : f.stage.ran) {
      for (String input : graph.dependencies(stage)) {
        assertTrue(events.indexOf("end:" + input) < events.indexOf("start:" + stage), stage + " before " + input);
      }
    }
    int now = 0;
    int most = 0;
    for (String e : events) {
      now += e.startsWith("start:") ? 1 : -1;
      most = Math.max(most, now);
    }
    assertTrue(most <= 3, "at most 3 at once, saw " + most);
  }

  @Test
  void keepGoingSkipsExactlyTheFailuresDownstreamNamingTheBrokenInput() {
    Fixture f = new Fixture(tmp).write(wideAndDeep());
    f.stage.failOnce.add("w7");
    f.stage.failOnce.add("d3");
    RunReport report = f.run(RunOptions.of("after").withKeepGoing(true).withJobs(2));
    assertEquals(StageStatus.FAILED, report.outcomes().get("w7").status());
    assertEquals(StageStatus.FAILED, report.outcomes().get("d3").status());
    for (int i = 4; i < 30; i++) {
      assertEquals(StageStatus.SKIPPED, report.outcomes().get("d" + i).status());
      assertEquals("upstream d" + (i - 1) + " " + (i == 4 ? "failed" : "skipped"), report.outcomes().get("d" + i).error());
    }
    assertEquals(StageStatus.SKIPPED, report.outcomes().get("join").status());
    assertEquals("upstream join skipped", report.outcomes().get("after").error());
    assertEquals(93 - 2 - 26 - 2, report.count(StageStatus.DONE), "every other stage ran");
  }

  @Test
  void theSchedulerLooksEachStageUpOnceInsteadOfOncePerFinishedStage() {
    Fixture f = new Fixture(tmp).write(wideAndDeep());
    java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    io.robustcl.pipeline.cache.ArtifactStore real = f.store();
    io.robustcl.pipeline.cache.ArtifactStore counting = (io.robustcl.pipeline.cache.ArtifactStore)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.robustcl.pipeline.cache.ArtifactStore.class}, (proxy, method, args) -> {
              if (method.getName().equals("lookup")) {
                lookups.incrementAndGet();
              }
              try {
                return method.invoke(real, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
    assertTrue(f.run(RunOptions.of("after"), counting).succeeded());
    // one look-up by the scheduler when the stage becomes ready, one by its worker under the key lock;
    // rescanning pending stages after each finished one looked the 60 fan-out stages up ~1,800 times
    assertEquals(2 * 93, lookups.get());
    lookups.set(0);
    RunReport cached = f.run(RunOptions.of("after"), counting);
    assertEquals(93, cached.count(StageStatus.CACHED));
    assertEquals(93, lookups.get());
  }

  @Test
  void aKeyResolvedBeforeIsReusedOnlyForTheSameInputContent() {
    Fixture f = new Fixture(tmp).write(DIAMOND);
    RunReport one = f.run(RunOptions.of("all"), "aout=one");
    RunReport two = f.run(RunOptions.of("all"), "aout=two");
    assertNotEquals(one.manifest("a").contentHash(), two.manifest("a").contentHash());
    io.robustcl.pipeline.config.StageSpec b = f.load().stage("b");
    StageResolver shared = f.injector.getInstance(StageResolver.class);
    assertTrue(shared == f.injector.getInstance(StageResolver.class), "the planner and the runner share one");
    ArtifactStore store = f.store();
    // the same spec object against a's two outputs, back and forth: each time the key of that content
    for (RunReport upstream : List.of(one, two, one, two)) {
      String key = shared.resolve(b, java.util.Map.of("a", upstream.manifest("a")), store).key();
      assertEquals(upstream.manifest("b").key(), key);
    }
  }
}
