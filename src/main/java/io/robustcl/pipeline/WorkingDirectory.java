package io.robustcl.pipeline;

import jakarta.inject.Inject;
import java.nio.file.Path;

/**
 * The directory a command was started from, against which every relative path the user gives
 * (options, arguments, their defaults, stage params naming files) is resolved.
 *
 * <p>Java cannot change a process's working directory, and {@code Path.of("x").toAbsolutePath()}
 * resolves against the JVM's {@code user.dir}. That is right for a JVM started per command, but
 * not for the resident tool daemon ({@code io.robustcl.cli.daemon}), which serves commands from
 * any directory: it binds this value per request. Code that may run in the daemon resolves
 * through this value and never through {@code user.dir}.
 *
 * @param dir absolute and normalized
 */
public record WorkingDirectory(Path dir) {

  public WorkingDirectory {
    if (!dir.isAbsolute()) {
      throw new IllegalArgumentException("working directory must be absolute: " + dir);
    }
    dir = dir.normalize();
  }

  /** The JVM's own working directory: the default when nothing binds another (a JVM per command). */
  @Inject
  public WorkingDirectory() {
    this(Path.of("").toAbsolutePath());
  }

  /** {@code path} if absolute, else resolved against this directory; normalized. */
  public Path resolve(Path path) {
    return dir.resolve(path).normalize();
  }

  /**
   * {@code path} as a command shown to the user should name it: relative to this directory when
   * below it (as the user most likely typed it), else as it is.
   */
  public String shown(Path path) {
    Path normal = path.normalize();
    return normal.isAbsolute() && normal.startsWith(dir) && !normal.equals(dir) ? dir.relativize(normal).toString()
        : path.toString();
  }

  /** {@link #resolve(Path)} of a path given as text. */
  public Path resolve(String path) {
    return resolve(Path.of(path));
  }
}
