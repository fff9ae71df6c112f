package io.robustcl.pipeline.cache;

import static io.robustcl.pipeline.cache.ArtifactFixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store behaviour across processes: {@link StoreWorkerMain} runs in child JVMs. */
class CrossProcessLockTest {

  @TempDir Path root;
  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void killChildren() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process spawn(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        StoreWorkerMain.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    children.add(p);
    return p;
  }

  private static String readLine(Process p) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      throw new AssertionError("child exited early with no output");
    }
    return line;
  }

  @Test
  void aWriterKilledWhileHoldingTheLockLeavesNoArtifactAndNoStaleLock() throws Exception {
    String key = key("killed");
    Process writer = spawn("hold", root.toString(), key);
    String line = readLine(writer);
    assertTrue(line.startsWith("WRITING "), line);
    Path tmpDir = Path.of(line.substring("WRITING ".length()));
    assertTrue(Files.exists(tmpDir.resolve("partial.bin")));

    LocalArtifactStore store = new LocalArtifactStore(root);
    assertTrue(store.tryLock(key).isEmpty(), "the child holds the lock");
    writer.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
    assertTrue(writer.waitFor(30, TimeUnit.SECONDS));

    assertTrue(store.lookup(key).isEmpty(), "no half artifact is trusted");
    assertFalse(Files.exists(store.artifactDir(key)));
    Optional<KeyLock> lock = store.tryLock(key);
    assertTrue(lock.isPresent(), "the OS released the dead process's lock: nothing stale");
    lock.get().close();
    assertTrue(Files.exists(root.resolve("work").resolve(key).resolve("epoch-1.ckpt")), "checkpoint kept to resume");

    Path counter = root.resolve("counter.txt");
    assertTrue(StoreWorkerMain.computeOnce(store, key, counter), "the next attempt computes and succeeds");
    assertTrue(store.lookup(key).isPresent());
    assertFalse(Files.exists(root.resolve("work").resolve(key)));

    GcReport gc = store.gc(Set.of(key), false);
    assertEquals(List.of(tmpDir), gc.entries().stream().map(GcReport.Entry::path).toList(),
        "gc removes the dead run's temp dir and nothing live");
    assertFalse(Files.exists(tmpDir));
    assertTrue(store.verify().clean());
  }

  @Test
  void twoProcessesRacingOnOneKeyComputeItOnceAndBothSucceed() throws Exception {
    String key = key("raced");
    Path counter = root.resolve("counter.txt");
    Path go = root.resolve("go");
    Path cache = root.resolve("cache");
    Process a = spawn("compute", cache.toString(), key, counter.toString(), go.toString());
    Process b = spawn("compute", cache.toString(), key, counter.toString(), go.toString());
    assertEquals("READY", readLine(a));
    assertEquals("READY", readLine(b));
    Files.createFile(go);
    List<String> outcomes = new ArrayList<>(List.of(readLine(a), readLine(b)));
    outcomes.sort(null);
    assertEquals(List.of("DONE cached", "DONE computed"), outcomes);
    assertTrue(a.waitFor(30, TimeUnit.SECONDS));
    assertTrue(b.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, a.exitValue());
    assertEquals(0, b.exitValue());
    assertEquals(1, Files.readAllLines(counter).size());
    assertTrue(new LocalArtifactStore(cache).lookup(key).isPresent());
  }

  @Test
  void aFailedInProcessAttemptDoesNotDropTheLockThisProcessHolds() throws Exception {
    // fcntl locks belong to the process and die when any descriptor of the file is closed, so
    // a second store object probing the held key must not open and close the lock file.
    String key = key("held-here");
    Path counter = root.resolve("counter.txt");
    Path go = root.resolve("go");
    LocalArtifactStore store = new LocalArtifactStore(root);
    Process child = spawn("compute", root.toString(), key, counter.toString(), go.toString());
    assertEquals("READY", readLine(child));
    try (KeyLock lock = store.lock(key)) {
      assertTrue(new LocalArtifactStore(root).tryLock(key).isEmpty());
      store.gc(Set.of(), false); // probes the key too
      Files.createFile(go);
      Thread.sleep(1000);
      assertFalse(Files.exists(counter), "the child must still be waiting for our lock");
      assertTrue(lock.isHeld());
    }
    assertEquals("DONE computed", readLine(child));
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, Files.readAllLines(counter).size());
  }

  @Test
  void twoProcessesEachHoldingAKeyTheOtherWantsBothGetItWithoutEdeadlk() throws Exception {
    // fcntl locks belong to processes: P holds A and waits for B while Q holds B and waits for
    // A, which a blocking F_SETLKW refuses with EDEADLK although each holder releases soon.
    String a = key("cycle-a");
    String b = key("cycle-b");
    Path go = root.resolve("go");
    Process p = spawn("cycle", root.toString(), a, b, go.toString());
    Process q = spawn("cycle", root.toString(), b, a, go.toString());
    assertEquals("HOLDING", readLine(p));
    assertEquals("HOLDING", readLine(q));
    Files.createFile(go);
    assertEquals("GOT", readLine(p));
    assertEquals("GOT", readLine(q));
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(q.waitFor(30, TimeUnit.SECONDS));
  }

  @Test
  void gcKeepsWhatAnotherProcessLeasedAndRemovesItOnceThatProcessIsGone() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("leased");
    StoreWorkerMain.computeOnce(store, key, root.resolve("counter.txt"));
    Process reader = spawn("lease", root.toString(), key);
    assertEquals("LEASED true", readLine(reader));

    GcReport kept = store.gc(Set.of(), false);
    assertTrue(store.lookup(key).isPresent(), "a live run's lease keeps the artifact");
    assertEquals(List.of(key), kept.busy());

    reader.destroyForcibly(); // the lease dies with its process
    assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
    store.gc(Set.of(), false);
    assertTrue(store.lookup(key).isEmpty());
    assertTrue(Files.list(root.resolve("leases")).findAny().isEmpty(), "the dead lease file is gone too");
  }

  @Test
  void anotherProcessCleaningUpLeasesNeverTakesOneBeingOpened() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("leased");
    Files.createDirectories(root.resolve("leases"));
    Process cleaner = spawn("clean", root.toString(), "-", "1500");
    assertEquals("READY", readLine(cleaner));
    // open leases as fast as runs could while the child removes "dead" ones: a lease file that
    // is visible before its owner locks it looks dead, and is deleted (or its owner's lock fails)
    int opened = 0;
    while (cleaner.isAlive()) {
      try (ReadLease lease = store.lease()) {
        lease.add(key);
      }
      opened++;
    }
    assertEquals("REMOVED 0", readLine(cleaner), "after " + opened + " leases");
    assertTrue(opened > 100, "the leases were opened while the child cleaned: " + opened);
  }
}
