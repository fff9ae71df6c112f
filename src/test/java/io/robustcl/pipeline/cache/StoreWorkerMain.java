package io.robustcl.pipeline.cache;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A separate process working on a store, for the cross-process tests. Prints one line when it
 * reaches its point of interest.
 *
 * <ul>
 *   <li>{@code hold ROOT KEY}: locks KEY, writes part of an artifact and a checkpoint, prints
 *       {@code WRITING <tmp dir>}, then sleeps until killed.
 *   <li>{@code compute ROOT KEY COUNTER GO}: prints {@code READY}, waits for file GO, then does
 *       lookup, lock, lookup, and on a miss appends a line to COUNTER, works 300 ms and commits;
 *       prints {@code DONE computed} or {@code DONE cached}.
 *   <li>{@code lease ROOT KEY}: opens a read lease, adds KEY, looks it up, prints {@code LEASED
 *       <found>}, then sleeps until killed.
 *   <li>{@code cycle ROOT HELD WANTED GO}: locks HELD, prints {@code HOLDING}, waits for file GO,
 *       then asks for WANTED on a second thread while the main thread keeps HELD for one more
 *       second; prints {@code GOT} once it holds WANTED, or {@code ERROR <message>}.
 *   <li>{@code clean ROOT - MILLIS}: prints {@code READY}, then for MILLIS ms does what every run
 *       start and gc do with leases (removes those of dead processes), again and again; prints
 *       {@code REMOVED <n>}, the number of lease files it deleted.
 * </ul>
 */
public final class StoreWorkerMain {

  private StoreWorkerMain() {}

  public static void main(String[] args) throws Exception {
    ArtifactStore store = new LocalArtifactStore(Path.of(args[1]));
    String key = args[2];
    switch (args[0]) {
      case "hold" -> hold(store, key);
      case "compute" -> compute(store, key, Path.of(args[3]), Path.of(args[4]));
      case "lease" -> lease(store, key);
      case "cycle" -> cycle(store, key, args[3], Path.of(args[4]));
      case "clean" -> clean(store, Long.parseLong(args[3]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static void hold(ArtifactStore store, String key) throws Exception {
    KeyLock lock = store.lock(key);
    PendingArtifact out = store.begin(lock);
    Files.writeString(out.dir().resolve("partial.bin"), "half of it");
    Files.writeString(store.workDir(key).resolve("epoch-1.ckpt"), "checkpoint");
    System.out.println("WRITING " + out.dir());
    System.out.flush();
    Thread.sleep(120_000);
  }

  private static void compute(ArtifactStore store, String key, Path counter, Path go) throws Exception {
    System.out.println("READY");
    System.out.flush();
    while (!Files.exists(go)) {
      Thread.sleep(5);
    }
    System.out.println("DONE " + (computeOnce(store, key, counter) ? "computed" : "cached"));
  }

  private static void clean(ArtifactStore store, long millis) {
    System.out.println("READY");
    System.out.flush();
    long end = System.nanoTime() + millis * 1_000_000;
    int removed = 0;
    while (System.nanoTime() < end) {
      removed += store.recoverAbandoned(); // no tmp dirs here: counts removed dead leases only
    }
    System.out.println("REMOVED " + removed);
  }

  private static void lease(ArtifactStore store, String key) throws Exception {
    ReadLease lease = store.lease();
    lease.add(key);
    System.out.println("LEASED " + store.lookup(key).isPresent());
    System.out.flush();
    Thread.sleep(120_000);
  }

  private static void cycle(ArtifactStore store, String held, String wanted, Path go) throws Exception {
    KeyLock mine = store.lock(held);
    System.out.println("HOLDING");
    System.out.flush();
    while (!Files.exists(go)) {
      Thread.sleep(5);
    }
    String[] outcome = new String[1];
    Thread asker = new Thread(() -> {
      try (KeyLock other = store.lock(wanted)) {
        outcome[0] = "GOT";
      } catch (Exception | Error e) {
        outcome[0] = "ERROR " + e;
      }
    });
    asker.start();
    Thread.sleep(1000); // both processes now wait for each other's key: a cycle of processes
    mine.close();
    asker.join();
    System.out.println(outcome[0]);
  }

  /** The executor's pattern: lookup, lock, lookup again, compute, commit. True if it computed. */
  static boolean computeOnce(ArtifactStore store, String key, Path counter) throws Exception {
    if (store.lookup(key).isPresent()) {
      return false;
    }
    try (KeyLock lock = store.lock(key)) {
      Optional<Manifest> hit = store.lookup(key);
      if (hit.isPresent()) {
        return false;
      }
      Files.writeString(counter, ProcessHandle.current().pid() + " " + Thread.currentThread().getName() + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      try (PendingArtifact out = store.begin(lock)) {
        Thread.sleep(300);
        Files.writeString(out.dir().resolve("result.txt"), "result of " + key);
        out.commit(ArtifactFixtures.draft("worker"));
      }
      return true;
    }
  }
}
