package io.robustcl.cli;

import io.robustcl.pipeline.cache.ArtifactStore;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.exec.StageNameIndex;
import java.nio.file.Path;
import java.util.Optional;

/** The manifest of a stage's last built artifact, or a usage error saying why there is none. */
final class LastBuild {

  private LastBuild() {}

  static Manifest of(ArtifactStore store, Path cache, String stage) {
    Optional<String> key;
    try {
      key = new StageNameIndex(cache).lastKey(stage);
    } catch (IllegalArgumentException e) {
      throw new Commands.UsageException(e.getMessage());
    }
    if (key.isEmpty()) {
      throw new Commands.UsageException("stage '" + stage + "' has never been built against cache " + cache);
    }
    Optional<Manifest> found = store.lookup(key.get());
    if (found.isEmpty()) {
      throw new Commands.UsageException("the last artifact of stage '" + stage + "' (" + key.get()
          + ") is no longer in cache " + cache + "; run the pipeline again");
    }
    return found.get();
  }
}
