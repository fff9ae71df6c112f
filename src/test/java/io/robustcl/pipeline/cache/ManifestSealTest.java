package io.robustcl.pipeline.cache;

import static io.robustcl.pipeline.cache.ArtifactFixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.Params;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seal against manifests written before {@link ManifestJson} parsed by streaming: a
 * manifest committed by an earlier robustcl (the resource {@code sealed-manifest-v2.json},
 * written by the tree-based reader's code) must still verify, and no one-character change to
 * it is trusted unless it means the same manifest.
 */
class ManifestSealTest {

  /** Every kind of value the seal's canonical text must write exactly as before: escapes, number forms, nesting. */
  static Manifest awkward() {
    ImmutableSortedMap<String, FileEntry> files = ImmutableSortedMap.of(
        "a.txt", new FileEntry(key("a"), 5),
        "sub/b é.bin", new FileEntry(key("b"), 0),
        "z", new FileEntry(key("z"), 9_007_199_254_740_993L));
    return Manifest.of(key("awkward"), new ManifestDraft(
        "cell@0-\"q\"",
        "write-params",
        12,
        "files",
        Params.of(Map.of(
            "big", Long.MAX_VALUE,
            "neg", -42L,
            "tiny", 1.0E-5,
            "huge", 1.0E300,
            "whole", 3.0,
            "text", "a \"quoted\" \\ back<slash> & = ' \u00e9 \ud83d\ude00 \u2028 \u0001 \t\n",
            "empty", ImmutableSortedMap.of(),
            "nested", ImmutableSortedMap.of("z", ImmutableList.of(ImmutableSortedMap.of("k", true), 0.5, "s"),
                "a", ImmutableList.of()),
            "flag", false)),
        ImmutableSortedMap.of(
            "after", ImmutableList.of(),
            "data", ImmutableList.of(new InputRef("seed", key("in"), key("in-content")),
                new InputRef("mid@1", key("in2"), key("in2-content")))),
        ImmutableSortedMap.of("acc", 0.75, "nan", Double.NaN, "inf", Double.POSITIVE_INFINITY,
            "-inf", Double.NEGATIVE_INFINITY, "small", -2.5E-12, "\u00fcber", 1.0),
        Instant.parse("2024-01-02T03:04:05.123456789Z"),
        Instant.parse("2024-01-02T03:04:06Z"),
        "gpu:0,1",
        ImmutableSortedMap.of("java", "17", "robustcl", "test"),
        ImmutableSortedMap.of()), files);
  }

  static String fixture() throws IOException {
    try (InputStream in = ManifestSealTest.class.getResourceAsStream("sealed-manifest-v2.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aManifestWrittenBeforeStillVerifiesAndIsWrittenTheSameToday() throws IOException {
    String before = fixture();
    assertEquals(awkward(), ManifestJson.read(before, "m.json"));
    assertEquals(before, ManifestJson.write(awkward()), "the written form, seal included, is unchanged");
  }

  @Test
  void noOneCharacterChangeIsTrustedUnlessItMeansTheSameManifest() throws IOException {
    String before = fixture();
    Manifest original = awkward();
    int rejected = 0;
    int same = 0;
    int tried = 0;
    for (int i = 0; i < before.length(); i++) {
      char at = before.charAt(i);
      if (Character.isWhitespace(at)) {
        continue; // indentation is not content (theSealCoversMetricsParamsAndTimes reformats it)
      }
      // a flipped low bit (a one-bit corruption: 0<->1, a<->`, "<->#, e<->d, .<->/) and a quote
      for (char c : new char[] {(char) (at ^ 1), at == '"' ? '0' : '"'}) {
        String changed = before.substring(0, i) + c + before.substring(i + 1);
        tried++;
        Manifest read;
        try {
          read = ManifestJson.read(changed, "m.json");
        } catch (ManifestFormatException e) {
          rejected++;
          continue;
        } catch (RuntimeException e) {
          fail("position " + i + " -> '" + c + "': " + e + " instead of a ManifestFormatException");
          return;
        }
        if (!read.equals(original)) {
          fail("position " + i + " -> '" + c + "' was trusted with other content: "
              + changed.substring(Math.max(0, i - 30), Math.min(changed.length(), i + 30)));
        }
        same++; // e.g. a field name the format does not know any more, in an object it skips
      }
    }
    assertTrue(rejected > 0.95 * tried, "rejected " + rejected + " of " + tried + ", same " + same);
  }

  @Test
  void theSealAndUnknownOrRepeatedFieldsAreChecked() throws IOException {
    String before = fixture();
    String unsealed = before.replaceFirst(",\\s*\"seal\": \"[0-9a-f]{64}\"", "");
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read(unsealed, "m.json"))
        .getMessage().contains("missing field \"seal\""));
    // a field the format does not know is not covered by the seal: ignored, as before
    String extra = before.replaceFirst("\\{", "{\"comment\": {\"x\": [1, \"y\"]},");
    assertEquals(awkward(), ManifestJson.read(extra, "m.json"));
    // a field given twice: the second would be read unsealed by a reader taking the first, so neither is trusted
    String twice = before.replaceFirst("\\{", "{\"device\": \"cpu\",");
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read(twice, "m.json"))
        .getMessage().contains("\"device\" given twice"));
    String trailing = before + "{}";
    assertTrue(assertThrows(ManifestFormatException.class, () -> ManifestJson.read(trailing, "m.json"))
        .getMessage().startsWith("m.json: malformed JSON"));
  }

  @Test
  void timesReadWithoutTheFormatterAreTheInstantsInstantParseReads() {
    java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of(
        "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.1Z", "2024-01-02T03:04:05.000000001Z", "0000-01-01T00:00:00Z",
        "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z",
        "2024-01-02T24:00:00Z", "2024-06-30T23:59:60Z", "2024-01-02T03:04:05.Z", "2024-01-02T03:04:05.1234567890Z",
        "2024-01-02T03:04:05z", "2024-01-02T03:04:05", "2024-01-02 03:04:05Z", "+12024-01-02T03:04:05Z",
        "2024-01-02T03:04:05+01:00", "2024-1-02T03:04:05Z", "2024-01-02T03:04:5xZ", "2024-01-02T03:60:00Z"));
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 2000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 250_000_000_000L),
          random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
      texts.add(t.toString());
    }
    int fast = 0;
    for (String text : texts) {
      Instant plain = ManifestReader.plainUtcInstant(text);
      Instant parsed;
      try {
        parsed = Instant.parse(text);
      } catch (java.time.format.DateTimeParseException e) {
        assertEquals(null, plain, text + " is no instant, but was read as one");
        continue;
      }
      if (plain != null) {
        assertEquals(parsed, plain, text);
        fast++;
      }
    }
    assertTrue(fast > 2000, "every time Instant.toString writes is read without the formatter: " + fast);
  }
}
