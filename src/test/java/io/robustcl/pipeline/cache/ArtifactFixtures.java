package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.hash.Hashing;
import io.robustcl.pipeline.Params;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** Keys and drafts for the cache tests. */
final class ArtifactFixtures {

  private ArtifactFixtures() {}

  /** A valid key derived from {@code seed}. */
  static String key(String seed) {
    return Hashing.sha256().hashString(seed, StandardCharsets.UTF_8).toString();
  }

  /** A draft for a stage named {@code stageName} with a few params of every type. */
  static ManifestDraft draft(String stageName) {
    return new ManifestDraft(
        stageName,
        "fake",
        3,
        "files",
        Params.of(Map.of(
            "epochs", 2L,
            "eps", 8 / 255.0,
            "whole", 3.0,
            "name", "x",
            "flag", true,
            "steps", ImmutableList.of(1L, 2L),
            "layout", ImmutableSortedMap.of("a", 1L, "b", ImmutableList.of(0.5, 2.0)))),
        ImmutableSortedMap.of("data", ImmutableList.of(new InputRef("data", key("in"), key("in-content")))),
        ImmutableSortedMap.of("acc", 0.75, "undefined", Double.NaN),
        Instant.parse("2024-01-02T03:04:05.123Z"),
        Instant.parse("2024-01-02T03:04:06Z"),
        "cpu",
        ImmutableSortedMap.of("java", "17", "robustcl", "test"),
        ImmutableSortedMap.of("launcher", "in-process", "host", "test-host"));
  }
}
