package io.robustcl.pipeline.config;

import java.util.regex.Pattern;

/** The rule for stage, target and preset names: safe as a file name and in a shell. */
final class StageNames {

  static final String RULE =
      "names must match [a-z0-9][a-z0-9_.@-]* and must not contain '..' or '/'; rename it";

  /** '@' joins a matrix group's name to its combination, as in DVC ({@code attack@8-255}). */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.@-]*");

  private StageNames() {}

  static boolean isValid(String name) {
    return NAME.matcher(name).matches() && !name.contains("..");
  }
}
