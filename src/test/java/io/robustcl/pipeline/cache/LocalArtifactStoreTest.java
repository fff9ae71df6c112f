package io.robustcl.pipeline.cache;

import static io.robustcl.pipeline.cache.ArtifactFixtures.draft;
import static io.robustcl.pipeline.cache.ArtifactFixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest {

  @TempDir Path root;

  private Manifest commit(ArtifactStore store, String key, String content) throws Exception {
    try (KeyLock lock = store.lock(key); PendingArtifact out = store.begin(lock)) {
      Files.writeString(out.dir().resolve("a.txt"), content);
      Files.createDirectories(out.dir().resolve("sub"));
      Files.writeString(out.dir().resolve("sub/b.bin"), content + "-b");
      return out.commit(draft("s"));
    }
  }

  private static List<Path> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void commitPublishesFilesAndManifestAtomically() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("k");
    assertTrue(store.lookup(key).isEmpty());

    Path pending;
    try (KeyLock lock = store.lock(key); PendingArtifact out = store.begin(lock)) {
      pending = out.dir();
      Files.writeString(out.dir().resolve("a.txt"), "hello");
      Files.createDirectories(out.dir().resolve("sub"));
      Files.writeString(out.dir().resolve("sub/b.bin"), "world");
      assertTrue(store.lookup(key).isEmpty(), "nothing is visible before commit");
      Manifest m = out.commit(draft("s"));
      assertEquals(Set.of("a.txt", "sub/b.bin"), m.files().keySet());
      assertEquals(ContentHash.ofFile(store.artifactDir(key).resolve("a.txt")), m.files().get("a.txt"));
      assertEquals(5, m.files().get("sub/b.bin").size());
    }
    assertFalse(Files.exists(pending), "the temp dir was renamed away");
    Manifest found = store.lookup(key).orElseThrow();
    assertEquals(key, found.key());
    assertEquals("hello", Files.readString(store.artifactDir(key).resolve("a.txt")));
    assertEquals(ContentHash.of(found.files()), found.contentHash());
    assertEquals(List.of(), children(root.resolve("tmp")));
  }

  @Test
  void contentHashDependsOnContentNotOnKeyOrTime() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    Manifest one = commit(store, key("one"), "same");
    Manifest two = commit(store, key("two"), "same");
    Manifest three = commit(store, key("three"), "other");
    assertEquals(one.contentHash(), two.contentHash());
    assertFalse(one.contentHash().equals(three.contentHash()));
  }

  @Test
  void aWriterThatThrowsLeavesNoArtifactAndNoTempDirButKeepsItsCheckpoint() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("fails");
    Path checkpoint = store.workDir(key).resolve("epoch-1.ckpt");
    Files.writeString(checkpoint, "resume from here");
    assertThrows(IllegalStateException.class, () -> {
      try (KeyLock lock = store.lock(key); PendingArtifact out = store.begin(lock)) {
        Files.writeString(out.dir().resolve("half.bin"), "half");
        throw new IllegalStateException("stage failed");
      }
    });
    assertTrue(store.lookup(key).isEmpty());
    assertFalse(Files.exists(store.artifactDir(key)));
    assertEquals(List.of(), children(root.resolve("tmp")));
    assertTrue(Files.exists(checkpoint), "checkpoints survive a failed attempt");

    commit(store, key, "second attempt");
    assertFalse(Files.exists(root.resolve("work").resolve(key)), "the work dir goes on commit");
  }

  @Test
  void aSecondCommitReplacesTheArtifact() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("forced");
    Manifest first = commit(store, key, "v1");
    Manifest second = commit(store, key, "v2");
    assertFalse(first.contentHash().equals(second.contentHash()));
    assertEquals(second, store.lookup(key).orElseThrow());
    assertEquals("v2", Files.readString(store.artifactDir(key).resolve("a.txt")));
    assertEquals(List.of(), children(root.resolve("tmp")));
  }

  @Test
  void rejectsSymlinksAndAStageWrittenManifestWithoutPublishing() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("bad-content");
    try (KeyLock lock = store.lock(key); PendingArtifact out = store.begin(lock)) {
      Files.writeString(out.dir().resolve("manifest.json"), "{}");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.commit(draft("s")));
      assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
      Files.delete(out.dir().resolve("manifest.json"));
      Files.createSymbolicLink(out.dir().resolve("link"), root);
      e = assertThrows(IllegalArgumentException.class, () -> out.commit(draft("s")));
      assertTrue(e.getMessage().contains("link"), e.getMessage());
    }
    assertTrue(store.lookup(key).isEmpty());
  }

  @Test
  void beginNeedsAHeldLockOfThisStore() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    KeyLock lock = store.lock(key("x"));
    lock.close();
    assertThrows(IllegalStateException.class, () -> store.begin(lock));
    try (KeyLock other = new LocalArtifactStore(root.resolve("elsewhere")).lock(key("y"))) {
      assertThrows(IllegalStateException.class, () -> store.begin(other));
    }
  }

  @Test
  void commitFailsOnceTheLockIsReleased() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    KeyLock lock = store.lock(key("late"));
    try (PendingArtifact out = store.begin(lock)) {
      lock.close();
      assertThrows(IllegalStateException.class, () -> out.commit(draft("s")));
    }
    assertTrue(store.lookup(key("late")).isEmpty());
  }

  @Test
  void badKeysAreRejectedBeforeTouchingAPath() {
    LocalArtifactStore store = new LocalArtifactStore(root);
    for (String bad : List.of("../../etc", "", key("a").toUpperCase(), key("a") + "0", key("a").substring(1) + "/",
        "g".repeat(64))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.lookup(bad));
      assertTrue(e.getMessage().contains("64 lowercase hex"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> store.lock(bad));
      assertThrows(IllegalArgumentException.class, () -> store.workDir(bad));
      assertThrows(IllegalArgumentException.class, () -> store.tryLock(bad));
    }
    assertEquals(List.of(), assertDoesNotThrowChildren(root));
  }

  private static List<Path> assertDoesNotThrowChildren(Path dir) {
    try {
      return children(dir).stream().filter(p -> !p.getFileName().toString().equals("locks")).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void tryLockFailsWhileAnotherThreadHoldsTheKeyEvenThroughAnotherStoreObject() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    LocalArtifactStore sameRoot = new LocalArtifactStore(root);
    String key = key("contended");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (KeyLock held = store.lock(key)) {
      assertTrue(pool.submit(() -> sameRoot.tryLock(key).isPresent()).get(10, TimeUnit.SECONDS) == false);
      assertTrue(store.tryLock(key("free")).map(l -> {
        l.close();
        return true;
      }).orElse(false));
      assertTrue(held.isHeld());
    }
    Optional<KeyLock> after = pool.submit(() -> sameRoot.tryLock(key)).get(10, TimeUnit.SECONDS);
    assertTrue(after.isPresent(), "free once released");
    after.get().close(); // release from another thread than the one that took it
    pool.shutdown();
  }

  @Test
  void threadsRacingOnOneKeyComputeItOnce() throws Exception {
    Path counter = root.resolve("counter.txt");
    String key = key("raced");
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      // half the threads use their own store object over the same root, like two runs in one JVM
      ArtifactStore store = new LocalArtifactStore(root.resolve("cache"));
      results.add(pool.submit(() -> {
        start.await();
        return StoreWorkerMain.computeOnce(store, key, counter);
      }));
    }
    start.countDown();
    int computed = 0;
    for (Future<Boolean> r : results) {
      computed += r.get(60, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();
    assertEquals(1, computed);
    assertEquals(1, Files.readAllLines(counter, StandardCharsets.UTF_8).size());
    assertTrue(new LocalArtifactStore(root.resolve("cache")).lookup(key).isPresent());
  }

  @Test
  void verifyQuarantinesAFlippedByteAndTheNextLookupMisses() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String good = key("good");
    String bad = key("bad");
    commit(store, good, "fine");
    commit(store, bad, "will rot");
    Path file = store.artifactDir(bad).resolve("sub/b.bin");
    byte[] bytes = Files.readAllBytes(file);
    bytes[3] ^= 0x01;
    Files.write(file, bytes);

    VerifyReport report = store.verify();
    assertEquals(1, report.checked());
    assertEquals(1, report.quarantined().size());
    VerifyReport.Corrupt corrupt = report.quarantined().get(0);
    assertEquals(bad, corrupt.key());
    assertTrue(corrupt.problems().get(0).startsWith("sub/b.bin"), corrupt.problems().toString());
    assertTrue(Files.exists(corrupt.movedTo().resolve("sub/b.bin")), "kept for inspection");
    assertTrue(corrupt.movedTo().startsWith(root.resolve("quarantine")));
    assertTrue(store.lookup(bad).isEmpty(), "the next run rebuilds it");
    assertTrue(store.lookup(good).isPresent());
    assertTrue(store.verify().clean());
  }

  @Test
  void verifyQuarantinesMissingExtraFilesAndBrokenManifests() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String missing = key("missing");
    String extra = key("extra");
    String broken = key("broken");
    commit(store, missing, "m");
    commit(store, extra, "e");
    commit(store, broken, "b");
    Files.delete(store.artifactDir(missing).resolve("a.txt"));
    Files.writeString(store.artifactDir(extra).resolve("new.txt"), "sneaked in");
    Files.writeString(store.artifactDir(broken).resolve("manifest.json"), "{\"truncated");

    VerifyReport report = store.verify();
    assertEquals(0, report.checked());
    assertEquals(List.of(broken, extra, missing).stream().sorted().toList(),
        report.quarantined().stream().map(VerifyReport.Corrupt::key).sorted().toList());
    for (String key : List.of(missing, extra, broken)) {
      assertTrue(store.lookup(key).isEmpty());
    }
  }

  @Test
  void verifySkipsAKeyThatIsBeingWritten() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("busy");
    commit(store, key, "x");
    Files.writeString(store.artifactDir(key).resolve("a.txt"), "changed");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (KeyLock lock = store.lock(key)) {
      VerifyReport report = pool.submit(() -> store.verify()).get(10, TimeUnit.SECONDS);
      assertEquals(List.of(key), report.busy());
      assertTrue(report.clean());
    }
    pool.shutdown();
    assertEquals(1, store.verify().quarantined().size());
  }

  @Test
  void gcKeepsLiveKeysAndDryRunRemovesNothing() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String live = key("live");
    String dead = key("dead");
    commit(store, live, "keep me");
    commit(store, dead, "drop me");
    Files.writeString(store.workDir(live).resolve("c"), "resume");
    Files.writeString(store.workDir(dead).resolve("c"), "stale");
    // a temp dir left by a killed run of a live key
    Path leftover = root.resolve("tmp").resolve(live + ".dead-run");
    Files.createDirectories(leftover);
    Files.writeString(leftover.resolve("x"), "12345");

    GcReport dry = store.gc(Set.of(live), true);
    assertTrue(dry.dryRun());
    assertEquals(Set.of(GcReport.Kind.ARTIFACT, GcReport.Kind.WORK, GcReport.Kind.TMP, GcReport.Kind.LOCK),
        dry.entries().stream().map(GcReport.Entry::kind).collect(java.util.stream.Collectors.toSet()));
    GcReport.Entry artifact = dry.entries().stream().filter(e -> e.kind() == GcReport.Kind.ARTIFACT)
        .findFirst().orElseThrow();
    assertEquals(dead, artifact.name());
    assertTrue(artifact.bytes() > "drop me".length(), "sizes count the files and the manifest");
    assertTrue(dry.entries().stream().noneMatch(e -> e.name().equals(live)));
    assertTrue(store.lookup(dead).isPresent(), "dry run removes nothing");
    assertTrue(Files.exists(leftover));
    assertTrue(Files.exists(root.resolve("work").resolve(dead)));

    GcReport real = store.gc(Set.of(live), false);
    assertEquals(dry.entries().stream().map(GcReport.Entry::path).toList(),
        real.entries().stream().map(GcReport.Entry::path).toList());
    assertTrue(store.lookup(dead).isEmpty());
    assertFalse(Files.exists(root.resolve("work").resolve(dead)));
    assertFalse(Files.exists(leftover));
    assertFalse(Files.exists(root.resolve("locks").resolve(dead + ".lock")));
    assertTrue(store.lookup(live).isPresent());
    assertTrue(Files.exists(root.resolve("work").resolve(live).resolve("c")), "live checkpoints stay");
    assertTrue(store.verify().clean());
    assertEquals(List.of(), children(root.resolve("tmp")));
  }

  @Test
  void gcLeavesWhatARunningWriterHolds() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String writing = key("writing");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (KeyLock lock = store.lock(writing); PendingArtifact out = store.begin(lock)) {
      Files.writeString(out.dir().resolve("f"), "in progress");
      Files.writeString(store.workDir(writing).resolve("c"), "ckpt");
      GcReport report = pool.submit(() -> store.gc(Set.of(), false)).get(10, TimeUnit.SECONDS);
      assertEquals(List.of(writing), report.busy());
      assertTrue(Files.exists(out.dir().resolve("f")));
      assertTrue(Files.exists(store.workDir(writing).resolve("c")));
      out.commit(draft("s"));
    }
    pool.shutdown();
    assertTrue(store.lookup(writing).isPresent());
  }

  @Test
  void aLockFileRemovedByGcIsRecreatedAndStillExcludes() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("cycled");
    commit(store, key, "x");
    store.gc(Set.of(), false);
    assertFalse(Files.exists(root.resolve("locks").resolve(key + ".lock")));
    try (KeyLock lock = store.lock(key)) {
      assertTrue(Files.exists(root.resolve("locks").resolve(key + ".lock")));
      ExecutorService pool = Executors.newSingleThreadExecutor();
      assertFalse(pool.submit(() -> new LocalArtifactStore(root).tryLock(key).isPresent()).get());
      pool.shutdown();
    }
  }
}
