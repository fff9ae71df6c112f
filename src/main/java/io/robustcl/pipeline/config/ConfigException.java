package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;

/**
 * A pipeline file (or a preset, or a {@code --set}/{@code --profile} option) is invalid.
 *
 * <p>The message lists every problem found, one per line, each starting with
 * {@code file:line:column} and naming the stage and param concerned and how to fix it.
 * Unchecked so that callers in Kotlin and lambdas need no ceremony.
 */
public final class ConfigException extends RuntimeException {

  private final ImmutableList<String> problems;

  /** One exception carrying {@code problems} (at least one), each already prefixed with its location. */
  public ConfigException(ImmutableList<String> problems) {
    super(String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = problems;
  }

  /** A single problem at {@code location}. */
  public ConfigException(Location location, String problem) {
    this(ImmutableList.of(location + ": " + problem));
  }

  /** A single problem with no location in a file (e.g. an unknown {@code --profile}). */
  public ConfigException(String problem) {
    this(ImmutableList.of(problem));
  }

  /** The problems, one line each, in the order they were found. */
  public ImmutableList<String> problems() {
    return problems;
  }
}
