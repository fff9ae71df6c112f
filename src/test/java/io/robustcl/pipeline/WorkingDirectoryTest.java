package io.robustcl.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WorkingDirectoryTest {

  final WorkingDirectory dir = new WorkingDirectory(Path.of("/home/u/proj"));

  @Test
  void resolvesRelativePathsAgainstItselfNotTheJvmsDirectory() {
    assertEquals(Path.of("/home/u/proj/cache"), dir.resolve("cache"));
    assertEquals(Path.of("/home/u/data"), dir.resolve("../data"));
    assertEquals(Path.of("/etc/x"), dir.resolve(Path.of("/etc/x")));
    assertEquals(Path.of("").toAbsolutePath(), new WorkingDirectory().dir(), "the default: this JVM's");
    assertThrows(IllegalArgumentException.class, () -> new WorkingDirectory(Path.of("rel")));
  }

  @Test
  void showsPathsBelowItAsRelativeAndOthersAsTheyAre() {
    assertEquals("results/x", dir.shown(Path.of("/home/u/proj/results/x")));
    assertEquals("/home/u/projects/x", dir.shown(Path.of("/home/u/projects/x")), "a sibling sharing a prefix");
    assertEquals("/home/u/proj", dir.shown(Path.of("/home/u/proj")));
    assertEquals("/tmp/c", dir.shown(Path.of("/tmp/c")));
  }
}
