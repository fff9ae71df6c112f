package io.robustcl.pipeline.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageNameIndexTest {

  @TempDir Path cache;

  @Test
  void aStageNameTooLongForAFileNameIsStillRecorded() {
    StageNameIndex index = new StageNameIndex(cache);
    String key = Hashing.sha256().hashString("k", StandardCharsets.UTF_8).toString();
    String longName = "s".repeat(300);
    String otherLongName = "s".repeat(299) + "t";
    index.record(longName, key);
    assertEquals(Optional.of(key), index.lastKey(longName));
    assertEquals(Optional.empty(), index.lastKey(otherLongName), "long names that share a prefix stay apart");
    index.record("short", key);
    assertEquals(Optional.of(key), index.lastKey("short"));
  }
}
