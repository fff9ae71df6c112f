package io.robustcl.pipeline.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.FileEntry;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.testing.Fixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run trusts from the cache and what it leaves behind (issue 12 items 2, 3, 4, 8, 9). */
class CacheTrustTest {

  static final String CHAIN = """
      vars: {b_ms: 0, bv: 2}
      stages:
        a: {type: fake, params: {v: 1}}
        b: {type: fake, inputs: {in: [a]}, params: {v: "${bv}", ms: "${b_ms}"}}
      """;

  @TempDir Path tmp;

  private static Path manifestOf(Fixture f, RunReport r, String stage) {
    return f.store().artifactDir(r.manifest(stage).key()).resolve("manifest.json");
  }

  @Test
  void anUnreadableManifestIsAMissItIsQuarantinedAndRebuilt() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    RunReport first = f.run("b");
    Files.writeString(manifestOf(f, first, "a"), "{ not json");

    RunReport second = f.run("b");

    assertTrue(second.succeeded(), second.failures().toString());
    assertEquals(List.of("a"), f.stage.ran, "a was rebuilt, b stayed cached (a came out identical)");
    assertEquals(1, f.list("quarantine").size(), "the unreadable entry is kept for inspection");
    assertEquals(first.manifest("a").key(), second.manifest("a").key());
  }

  @Test
  void aFlippedMetricInAManifestIsNotTrusted() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    RunReport first = f.run("b");
    Path manifest = manifestOf(f, first, "b");
    Files.writeString(manifest, Files.readString(manifest).replace("\"v\": 2.0", "\"v\": 3.0"));

    assertEquals(1, f.store().verify().quarantined().size(), "verify checks the manifest's own content");
    RunReport second = f.run("b");
    assertEquals(List.of("b"), f.stage.ran);
    assertEquals(2.0, second.manifest("b").metrics().get("v"));
  }

  @Test
  void verifyInputsRehashesWhatTheRunReusesAndRebuildsACorruptArtifact() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    RunReport first = f.run("b");
    Path out = f.store().artifactDir(first.manifest("a").key()).resolve("out.txt");
    Files.writeString(out, "bit rot");

    f.run("b");
    assertEquals(List.of(), f.stage.ran, "by default a hit trusts the manifest (the documented trade-off)");
    RunReport checked = f.run(RunOptions.of("b").withVerifyInputs(true));
    assertTrue(checked.succeeded());
    assertEquals(List.of("a"), f.stage.ran, "the corrupt input was rebuilt");
    assertEquals("v=1", Files.readString(out));
    assertEquals(1, f.list("quarantine").size());
  }

  @Test
  void gcKeepsAnArtifactThatARunningRunReusedEvenWhenNoTargetReachesIt() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    String keyOfA = f.run("b").manifest("a").key();
    // run 2 reuses a (a cache hit, so it holds no key lock on it) while it computes a slow b
    CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> f.run("b", "b_ms=1500", "bv=7"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (f.list("tmp").isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "run 2 never started b");
      Thread.sleep(10);
    }

    f.store().gc(Set.of(), false);

    assertTrue(Files.isDirectory(f.store().artifactDir(keyOfA)), "a is leased by the live run");
    assertTrue(running.get(30, TimeUnit.SECONDS).succeeded());
    f.store().gc(Set.of(), false);
    assertFalse(Files.exists(f.store().artifactDir(keyOfA)), "once the run ended, gc may remove it");
  }

  @Test
  void aRunRemovesTemporaryDirectoriesOfDeadRunsAndRestoresAnArtifactAForcedCommitHadMovedAside() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    RunReport first = f.run("b");
    String keyOfA = first.manifest("a").key();
    Path tmpDir = f.cache.resolve("tmp");
    Files.createDirectories(tmpDir.resolve(keyOfA + ".0d1e-dead-run"));
    Files.writeString(tmpDir.resolve(keyOfA + ".0d1e-dead-run").resolve("partial"), "x");
    // a --force commit killed between moving the old artifact aside and renaming the new one in
    Files.move(f.store().artifactDir(keyOfA), tmpDir.resolve(keyOfA + ".old-killed"));

    RunReport second = f.run("b");

    assertEquals(List.of(), f.stage.ran, "the old artifact was put back: nothing recomputed");
    assertEquals(StageStatus.CACHED, second.outcomes().get("a").status());
    assertEquals(List.of(), f.list("tmp"));
  }

  @Test
  void publishingRefusesPathsOutsideTheArtifactAndResultsAndWritesNothingHalf() throws Exception {
    Fixture f = new Fixture(tmp).write(CHAIN);
    RunReport run = f.run("b");
    Path results = tmp.resolve("results");
    Manifest good = run.manifest("b");
    Manifest crafted = new Manifest(good.key(), good.stageName(), good.stageType(), good.stageVersion(),
        good.outputKind(), good.params(), good.inputs(),
        ImmutableSortedMap.of("../../outside.txt", good.files().get("out.txt")), good.contentHash(), good.metrics(),
        good.startTime(), good.endTime(), good.device(), good.versions(), good.execution());
    RunReport forged = report(run, "b", crafted);
    StringWriter sink = new StringWriter();

    assertThrows(UncheckedIOException.class, () -> ResultsPublisher.publish(forged, f.store(), results, new PrintWriter(sink)));
    assertFalse(Files.exists(tmp.resolve("outside.txt")));
    assertFalse(Files.exists(results.resolve("b")), "nothing half-written");

    // a symbolic link inside an artifact is not followed out of it
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "secret");
    Path file = f.store().artifactDir(good.key()).resolve("out.txt");
    Files.delete(file);
    Files.createSymbolicLink(file, secret);
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> ResultsPublisher.publish(run, f.store(), results, new PrintWriter(sink)));
    assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    assertFalse(Files.exists(results.resolve("b")));
  }

  @Test
  void runsPublishingOneTargetAtOnceEachLeaveOneCompleteCopyAndNeitherFails() throws Exception {
    Fixture f = new Fixture(tmp).write("""
        vars: {v: one}
        stages:
          b: {type: write-params, params: {value: "${v}", md: "| ${v} |"}}
        """);
    RunReport one = f.run(RunOptions.of("b"), "v=one");
    RunReport two = f.run(RunOptions.of("b"), "v=two");
    Path results = tmp.resolve("results");
    // two runs ending at once (bench/torture.sh: pairs at --jobs 4); each copy differs, so each replaces the other
    List<CompletableFuture<Void>> publishers = List.of(one, two, one, two).stream()
        .map(report -> CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 40; i++) {
            ResultsPublisher.publish(report, f.store(), results, new PrintWriter(new StringWriter()));
          }
        })).toList();
    for (CompletableFuture<Void> p : publishers) {
      p.get(60, TimeUnit.SECONDS); // before: "no such file" reading out.md another publisher had just moved aside
    }
    String md = Files.readString(results.resolve("b/out.md")).strip();
    String params = Files.readString(results.resolve("b/params.txt"));
    assertTrue(md.equals("| one |") && params.contains("one") || md.equals("| two |") && params.contains("two"),
        md + " / " + params);
  }

  private static RunReport report(RunReport run, String stage, Manifest manifest) {
    ImmutableMap.Builder<String, StageOutcome> outcomes = ImmutableMap.builder();
    run.outcomes().forEach((name, o) -> outcomes.put(name, name.equals(stage)
        ? new StageOutcome(name, o.status(), manifest, o.elapsed(), null) : o));
    return new RunReport(ImmutableMap.of(stage, ImmutableList.of(stage)), outcomes.buildOrThrow(), Duration.ZERO, null);
  }
}
