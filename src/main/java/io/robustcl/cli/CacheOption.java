package io.robustcl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --cache DIR} option (a picocli mixin). */
final class CacheOption {

  @Option(names = "--cache", paramLabel = "DIR", description = "the artifact cache (default: ${DEFAULT-VALUE})")
  Path cache = Path.of("cache");
}
