package io.robustcl.pipeline.cache;

import static io.robustcl.pipeline.cache.ArtifactFixtures.draft;
import static io.robustcl.pipeline.cache.ArtifactFixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.collect.ImmutableSortedMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against tampered manifests, leases in one JVM, and a full disk at lock time (issue 12). */
class StoreHardeningTest {

  @TempDir Path root;

  private static Manifest withFiles(ImmutableSortedMap<String, FileEntry> files) {
    return Manifest.of(key("k"), draft("s"), files);
  }

  @Test
  void manifestsWithUnsafePathsAreUnreadable() {
    FileEntry entry = new FileEntry(key("x"), 1);
    for (String bad : List.of("../../outside.txt", "/etc/passwd", "a/../b", "a//b", "./a", "a\\b", "a\u0000b", "")) {
      String json = ManifestJson.write(withFiles(ImmutableSortedMap.of(bad, entry)));
      ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestJson.read(json, "m.json"), bad);
      assertTrue(e.getMessage().contains("unsafe file path"), e.getMessage());
    }
    assertNull(ArtifactPaths.problem("sub/dir/file.bin"));
  }

  @Test
  void anInputRefWithABadKeyIsUnreadableEvenUnderAValidSeal() {
    // InputRef no longer checks its keys itself: the reader is where they enter
    for (InputRef bad : List.of(new InputRef("up", "../../etc", key("c")), new InputRef("up", key("k"), "ABC"))) {
      ManifestDraft d = draft("s");
      ManifestDraft withBadRef = new ManifestDraft(d.stageName(), d.stageType(), d.stageVersion(), d.outputKind(),
          d.params(), ImmutableSortedMap.of("data", com.google.common.collect.ImmutableList.of(bad)), d.metrics(),
          d.startTime(), d.endTime(), d.device(), d.versions(), d.execution());
      String json = ManifestJson.write(Manifest.of(key("k"), withBadRef, ImmutableSortedMap.of()));
      ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestJson.read(json, "m.json"));
      assertTrue(e.getMessage().contains("bad cache key"), e.getMessage());
    }
  }

  @Test
  void theSealCoversMetricsParamsAndTimes() {
    String json = ManifestJson.write(withFiles(ImmutableSortedMap.of("a", new FileEntry(key("a"), 1))));
    assertEquals(withFiles(ImmutableSortedMap.of("a", new FileEntry(key("a"), 1))), ManifestJson.read(json, "m.json"));
    for (String[] flip : List.of(
        new String[] {"\"acc\": 0.75", "\"acc\": 0.95"},
        new String[] {"\"epochs\": 2", "\"epochs\": 3"},
        new String[] {"\"device\": \"cpu\"", "\"device\": \"gpu:0\""},
        new String[] {"2024-01-02T03:04:06Z", "2024-01-02T03:04:07Z"})) {
      assertTrue(json.contains(flip[0]), flip[0]);
      String tampered = json.replace(flip[0], flip[1]);
      ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestJson.read(tampered, "m.json"));
      assertTrue(e.getMessage().contains("seal does not match"), e.getMessage());
    }
    String reformatted = json.replace("\n", "\n  ");
    ManifestJson.read(reformatted, "m.json"); // whitespace is not content
  }

  @Test
  void aManifestReadBeforeIsCheckedAgainOnceItsFileChanges() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("read-twice");
    StoreWorkerMain.computeOnce(store, key, root.resolve("counter"));
    Manifest first = store.lookup(key).orElseThrow();
    assertTrue(first == store.lookup(key).orElseThrow(), "an unchanged file is not parsed again");
    Path file = store.artifactDir(key).resolve(LocalArtifactStore.MANIFEST);
    String json = Files.readString(file);
    java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(file);
    // a flipped byte, same size, written later (any later write shows a later time)
    Files.writeString(file, json.replace("\"device\": \"cpu\"", "\"device\": \"cpX\""));
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(written.toMillis() + 1000));
    assertEquals(json.length(), Files.readString(file).length());
    ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> store.lookup(key));
    assertTrue(e.getMessage().contains("seal does not match"), e.getMessage());
    Files.delete(file);
    assertTrue(store.lookup(key).isEmpty(), "a removed manifest is a miss, not the one read before");
  }

  @Test
  void aLeaseInThisJvmKeepsItsKeysFromGcUntilClosed() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("used");
    StoreWorkerMain.computeOnce(store, key, root.resolve("counter"));
    try (ReadLease lease = store.lease()) {
      lease.add(key);
      GcReport report = store.gc(Set.of(), false);
      assertEquals(List.of(key), report.busy());
      assertTrue(store.lookup(key).isPresent());
    }
    store.gc(Set.of(), false);
    assertTrue(store.lookup(key).isEmpty());
  }

  @Test
  void aLockIsTakenEvenWhenTheHolderPidCannotBeWritten() throws Exception {
    // /dev/full fails every write with ENOSPC, as a full disk does
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs Linux's /dev/full");
    LocalArtifactStore store = new LocalArtifactStore(root);
    String key = key("full");
    Files.createDirectories(root.resolve("locks"));
    Files.createSymbolicLink(root.resolve("locks").resolve(key + ".lock"), Path.of("/dev/full"));
    try (KeyLock lock = store.lock(key)) {
      assertTrue(lock.isHeld());
    }
  }
}
