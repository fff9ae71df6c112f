package io.robustcl.pipeline.cache;

import static io.robustcl.pipeline.cache.ArtifactFixtures.draft;
import static io.robustcl.pipeline.cache.ArtifactFixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableSortedMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestJsonTest {

  private static Manifest sample() {
    ImmutableSortedMap<String, FileEntry> files = ImmutableSortedMap.of(
        "a.txt", new FileEntry(key("a"), 5), "sub/b.bin", new FileEntry(key("b"), 0));
    return Manifest.of(key("k"), draft("pretrain-rocl"), files);
  }

  @Test
  void roundTripKeepsEveryFieldAndTheParamTypes() {
    Manifest m = sample();
    Manifest back = ManifestJson.read(ManifestJson.write(m), "test");
    assertEquals(m, back);
    assertInstanceOf(Long.class, back.params().get("epochs"));
    assertInstanceOf(Double.class, back.params().get("whole"), "3.0 stays a Double");
    assertEquals(8 / 255.0, back.params().getDouble("eps"));
    assertEquals(List.of(1L, 2L), back.params().get("steps"));
    assertInstanceOf(Double.class, ((List<?>) back.params().getMap("layout").get("b")).get(1));
    assertTrue(Double.isNaN(back.metrics().get("undefined")));
    assertEquals(m.startTime(), back.startTime());
  }

  @Test
  void anUnknownFormatVersionFailsClearly() {
    String json = ManifestJson.write(sample()).replace("\"formatVersion\": 2", "\"formatVersion\": 7");
    ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestJson.read(json, "m.json"));
    assertTrue(e.getMessage().startsWith("m.json: manifest format version 7 is not supported"), e.getMessage());
    assertTrue(e.getMessage().contains("reads version 2"), e.getMessage());
  }

  @Test
  void malformedOrInconsistentManifestsNameTheFileAndField() {
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read("{\"a\": ", "m.json"))
        .getMessage().startsWith("m.json: malformed JSON"));
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read("[]", "m.json"))
        .getMessage().contains("not a robustcl manifest"));
    String noDevice = ManifestJson.write(sample()).replace("\"device\"", "\"dev\"");
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read(noDevice, "m.json"))
        .getMessage().contains("missing field \"device\""));
    String tampered = ManifestJson.write(sample()).replace(key("b"), key("c"));
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read(tampered, "m.json"))
        .getMessage().contains("does not match its files"));
    String badKey = ManifestJson.write(sample()).replace(key("k"), "../x");
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read(badKey, "m.json"))
        .getMessage().contains("bad cache key '../x'"));
  }

  @Test
  void lookupReportsAnUnknownVersionWithThePath(@TempDir Path root) throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(root);
    String k = key("v");
    try (KeyLock lock = store.lock(k); PendingArtifact out = store.begin(lock)) {
      Files.writeString(out.dir().resolve("f"), "x");
      out.commit(draft("s"));
    }
    Path file = store.artifactDir(k).resolve("manifest.json");
    Files.writeString(file, Files.readString(file).replace("\"formatVersion\": 2", "\"formatVersion\": 3"));
    ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> store.lookup(k));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  @Test
  void contentHashIsLengthDelimitedAndOrderFree() {
    FileEntry x = new FileEntry(key("x"), 1);
    // "ab" + "c" and "a" + "bc" must not collide
    assertTrue(!ContentHash.of(ImmutableSortedMap.of("ab", x, "c", x))
        .equals(ContentHash.of(ImmutableSortedMap.of("a", x, "bc", x))));
    assertTrue(!ContentHash.of(ImmutableSortedMap.of("a", x))
        .equals(ContentHash.of(ImmutableSortedMap.of("b", x))));
    assertEquals(ContentHash.of(new java.util.TreeMap<>(java.util.Map.of("p", x, "q", x))),
        ContentHash.of(ImmutableSortedMap.of("q", x, "p", x)));
  }
}
