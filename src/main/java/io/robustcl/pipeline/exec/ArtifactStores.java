package io.robustcl.pipeline.exec;

import io.robustcl.pipeline.cache.ArtifactStore;
import java.nio.file.Path;

/** Opens the artifact store rooted at a directory (the {@code --cache} option). */
@FunctionalInterface
public interface ArtifactStores {

  ArtifactStore open(Path root);
}
