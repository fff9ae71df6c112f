package io.robustcl.pipeline.config;

import java.nio.file.Path;

/**
 * A position in a pipeline or preset file, 1-based, as editors count.
 *
 * @param file the file as it was given to the loader (possibly relative)
 * @param line 1-based line
 * @param column 1-based column
 */
public record Location(Path file, int line, int column) {

  /** {@code file:line:column}, the form editors and terminals turn into links. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
