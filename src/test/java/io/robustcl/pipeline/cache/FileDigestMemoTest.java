package io.robustcl.pipeline.cache;

import static io.robustcl.pipeline.cache.ArtifactFixtures.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's memos ({@link FileDigestMemo}). Of checked manifests: a later process skips the
 * seal of a manifest file it finds unchanged, and nothing else: a changed file (even with its
 * modification time restored), a damaged memo and {@code verify} all check the seal again. Of
 * external files' digests: a later process reads an unchanged file no more, and a rewritten
 * one (same size, modification time restored) again. Each new store stands for a new run (a
 * new process).
 */
class FileDigestMemoTest {

  /** Files settle after this, in these tests (the store's default is 2 s). */
  private static final Duration SETTLED = Duration.ofMillis(40);

  @TempDir Path root;

  private final String key = key("memo");

  @BeforeEach
  void needsUnixAttributes() throws Exception {
    assumeTrue(FileDigestMemo.Stat.of(Files.createTempFile(root, "probe", "")) != null,
        "no unix:ctime on this file system");
  }

  private LocalArtifactStore store() {
    return new LocalArtifactStore(root, SETTLED);
  }

  private Manifest commit(LocalArtifactStore store, String k) throws Exception {
    try (KeyLock lock = store.lock(k); PendingArtifact out = store.begin(lock)) {
      Files.writeString(out.dir().resolve("result.txt"), "result of " + k);
      return out.commit(ArtifactFixtures.draft("s"));
    }
  }

  private Path manifestFile(LocalArtifactStore store) {
    return store.artifactDir(key).resolve(LocalArtifactStore.MANIFEST);
  }

  /** Commits {@link #key}, lets it settle, and has one run look it up (checking its seal) and save the memo. */
  private Manifest committedAndCheckedOnce() throws Exception {
    Manifest committed = commit(store(), key);
    Thread.sleep(SETTLED.toMillis() * 3);
    LocalArtifactStore first = store();
    assertEquals(committed, first.lookup(key).orElseThrow());
    assertEquals(1, first.sealsChecked());
    first.saveVerified();
    assertTrue(Files.exists(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS)));
    return committed;
  }

  @Test
  void aLaterRunSkipsTheSealOfAnUnchangedManifest() throws Exception {
    Manifest committed = committedAndCheckedOnce();
    LocalArtifactStore later = store();
    assertEquals(committed, later.lookup(key).orElseThrow());
    assertEquals(0, later.sealsChecked(), "the memo's entry matches the file: no seal computed");
    assertEquals(committed, later.lookup(key).orElseThrow());
    assertEquals(0, later.sealsChecked());
  }

  @Test
  void aManifestRewrittenInPlaceWithItsModificationTimeRestoredIsStillChecked() throws Exception {
    committedAndCheckedOnce();
    Path file = manifestFile(store());
    String json = Files.readString(file);
    FileTime modified = Files.getLastModifiedTime(file);
    Object inode = Files.readAttributes(file, "unix:ino").get("ino");
    String tampered = json.replace("\"device\": \"cpu\"", "\"device\": \"cpX\"");
    assertNotEquals(json, tampered);
    Files.writeString(file, tampered); // same inode, same size
    Files.setLastModifiedTime(file, modified); // `touch -d`: only the change time tells
    assertEquals(inode, Files.readAttributes(file, "unix:ino").get("ino"));
    assertEquals(json.length(), Files.readString(file).length());
    LocalArtifactStore later = store();
    ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> later.lookup(key));
    assertTrue(e.getMessage().contains("seal does not match"), e.getMessage());
    assertEquals(1, later.sealsChecked());
    later.saveVerified();
    assertThrows(ManifestFormatException.class, () -> store().lookup(key), "and again in the run after");
  }

  @Test
  void aManifestChangedJustBeforeItWasReadIsNotRecorded() throws Exception {
    commit(store(), key);
    LocalArtifactStore first = new LocalArtifactStore(root, Duration.ofHours(1)); // nothing has settled
    first.lookup(key).orElseThrow();
    first.saveVerified();
    LocalArtifactStore later = store();
    later.lookup(key).orElseThrow();
    assertEquals(1, later.sealsChecked(), "a file this fresh could still change within the same clock tick");
  }

  @Test
  void aDamagedTruncatedForeignOrMissingMemoIsIgnoredAndRebuilt() throws Exception {
    Manifest committed = committedAndCheckedOnce();
    Path memo = root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS);
    byte[] intact = Files.readAllBytes(memo);
    List<UnaryOperator<byte[]>> damages = List.of(
        b -> flip(b, b.length / 2), // an entry's byte: the CRC no longer matches
        b -> flip(b, b.length - 1), // the CRC itself
        b -> flip(b, 11), // the memo's format version
        b -> flip(b, 15), // the manifest format version
        b -> flip(b, 19), // the entry count
        b -> Arrays.copyOf(b, b.length - 9), // truncated
        b -> Arrays.copyOf(b, b.length + 104), // an entry too many for the count
        b -> new byte[0],
        b -> "not a memo at all, though long enough to be one in length".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < damages.size(); i++) {
      Files.write(memo, damages.get(i).apply(intact.clone()));
      LocalArtifactStore later = store();
      assertEquals(committed, later.lookup(key).orElseThrow(), "damage " + i);
      assertEquals(1, later.sealsChecked(), "damage " + i + ": the memo is ignored, the seal checked");
      later.saveVerified();
      LocalArtifactStore after = store();
      after.lookup(key).orElseThrow();
      assertEquals(0, after.sealsChecked(), "damage " + i + ": the memo was rebuilt");
    }
    Files.delete(memo);
    LocalArtifactStore later = store();
    assertEquals(committed, later.lookup(key).orElseThrow());
    assertEquals(1, later.sealsChecked());
  }

  @Test
  void aMemoThatCannotBeWrittenDoesNotFailTheLookupOrTheSave() throws Exception {
    commit(store(), key);
    Thread.sleep(SETTLED.toMillis() * 3);
    Files.createDirectories(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS).resolve("in-the-way"));
    LocalArtifactStore run = store();
    run.lookup(key).orElseThrow();
    run.saveVerified(); // the rename onto a non-empty directory fails: ignored
    assertTrue(Files.isDirectory(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS)));
    try (var left = Files.list(root)) {
      assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(LocalArtifactStore.VERIFIED_MANIFESTS + ".tmp")),
          "no temporary file left");
    }
    LocalArtifactStore later = store();
    later.lookup(key).orElseThrow();
    assertEquals(1, later.sealsChecked());
  }

  @Test
  void verifyReHashesAManifestTheMemoVouchesFor() throws Exception {
    Manifest committed = committedAndCheckedOnce();
    // bit rot that left the times alone, simulated: the memo is made to vouch for a changed file
    Path file = manifestFile(store());
    Files.writeString(file, Files.readString(file).replace("\"device\": \"cpu\"", "\"device\": \"cpX\""));
    Thread.sleep(SETTLED.toMillis() * 3);
    FileDigestMemo memo = new FileDigestMemo(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS), ManifestJson.FORMAT_VERSION, SETTLED);
    memo.record(key, FileDigestMemo.Stat.of(file).identity(), ManifestJson.seal(committed));
    memo.save();
    LocalArtifactStore cached = store();
    assertEquals("cpX", cached.lookup(key).orElseThrow().device(), "a cached run trusts the memo: the trade-off");
    assertEquals(0, cached.sealsChecked());
    VerifyReport report = store().verify();
    assertEquals(1, report.quarantined().size(), report.toString());
    assertTrue(report.quarantined().get(0).problems().get(0).contains("seal does not match"), report.toString());
    assertTrue(store().lookup(key).isEmpty(), "quarantined: the next run rebuilds it");
  }

  @Test
  void runsSavingTogetherKeepEachOthersEntriesAndGcStartsAfresh() throws Exception {
    String other = key("memo-other");
    commit(store(), key);
    commit(store(), other);
    Thread.sleep(SETTLED.toMillis() * 3);
    LocalArtifactStore a = store();
    LocalArtifactStore b = store();
    a.lookup(key).orElseThrow();
    b.lookup(other).orElseThrow();
    a.saveVerified();
    b.saveVerified(); // merges into what a saved
    LocalArtifactStore later = store();
    later.lookup(key).orElseThrow();
    later.lookup(other).orElseThrow();
    assertEquals(0, later.sealsChecked());
    later.gc(Set.of(key, other), false);
    assertFalse(Files.exists(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS)), "gc drops the memo");
    LocalArtifactStore afterGc = store();
    afterGc.lookup(key).orElseThrow();
    assertEquals(1, afterGc.sealsChecked());
  }

  @Test
  void theMemoFormatRoundTrips() throws Exception {
    commit(store(), key);
    Path file = manifestFile(store());
    FileDigestMemo.FileIdentity identity = FileDigestMemo.Stat.of(file).identity();
    FileDigestMemo memo = new FileDigestMemo(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS), ManifestJson.FORMAT_VERSION, Duration.ZERO);
    memo.record(key, identity, key("seal"));
    memo.save();
    byte[] bytes = Files.readAllBytes(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS));
    assertArrayEquals(bytes, FileDigestMemo.encode(FileDigestMemo.decode(bytes, ManifestJson.FORMAT_VERSION), ManifestJson.FORMAT_VERSION));
    FileDigestMemo reread = new FileDigestMemo(root.resolve(LocalArtifactStore.VERIFIED_MANIFESTS), ManifestJson.FORMAT_VERSION, Duration.ZERO);
    assertEquals(key("seal"), reread.digestOf(key, identity));
    assertEquals(null, reread.digestOf(key, new FileDigestMemo.FileIdentity(identity.device(), identity.inode(),
        identity.size(), identity.modifiedNanos(), identity.changedNanos() + 1)), "another change time: no seal");
    assertEquals(null, reread.digestOf(key("unknown"), identity));
  }

  @Test
  void anExternalFileIsReadOncePerChangeAndARewriteWithItsTimeRestoredIsReadAgain() throws Exception {
    Path data = Files.writeString(root.getParent().resolve(root.getFileName() + "-data.bin"), "abcdef");
    try {
      String sha = com.google.common.hash.Hashing.sha256().hashString("abcdef", StandardCharsets.UTF_8).toString();
      Thread.sleep(SETTLED.toMillis() * 3);
      LocalArtifactStore first = store();
      assertEquals(sha, first.fileDigest(data));
      assertEquals(1, first.filesDigested());
      first.saveVerified();
      assertTrue(Files.exists(root.resolve(LocalArtifactStore.EXTERNAL_DIGESTS)));

      LocalArtifactStore later = store();
      assertEquals(sha, later.fileDigest(data));
      assertEquals(0, later.filesDigested(), "an unchanged file is not read by a later run");

      FileTime mtime = Files.getLastModifiedTime(data);
      Files.writeString(data, "abcdeX");
      Files.setLastModifiedTime(data, mtime);
      LocalArtifactStore afterRewrite = store();
      String rewritten = afterRewrite.fileDigest(data);
      assertEquals(1, afterRewrite.filesDigested(), "same size and mtime, new ctime: read again");
      assertNotEquals(sha, rewritten);

      // changed just now: its digest is right but not recorded (it could change again within the tick)
      afterRewrite.saveVerified();
      LocalArtifactStore racing = store();
      assertEquals(rewritten, racing.fileDigest(data));
      assertEquals(1, racing.filesDigested(), "a file changed within the settling time is not memoized");
    } finally {
      Files.deleteIfExists(data);
    }
  }

  private static byte[] flip(byte[] bytes, int at) {
    bytes[at] ^= 0x01;
    return bytes;
  }
}
