package io.robustcl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --cache DIR} option (a picocli mixin). */
final class CacheOption {

  /** The cache directory when {@code --cache} is not given, relative to the command's directory. */
  static final String DEFAULT = "cache";

  // a default given as text goes through the command line's Path converter: the command's directory
  @Option(names = "--cache", paramLabel = "DIR", defaultValue = DEFAULT, description = "the artifact cache (default: ${DEFAULT-VALUE})")
  Path cache;

  /**
   * The cache directory, checked: anything but a directory (or nothing yet, which is created
   * when first needed) is a usage error rather than an I/O failure deep inside a run.
   */
  Path dir() {
    if (Files.exists(cache) && !Files.isDirectory(cache)) {
      throw new Commands.UsageException("--cache " + cache + " is a file, not a directory; point --cache at a"
          + " directory (it is created if missing)");
    }
    return cache;
  }
}
