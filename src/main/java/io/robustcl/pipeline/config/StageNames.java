package io.robustcl.pipeline.config;

import java.util.regex.Pattern;

/** The rule for stage, target and preset names: safe as a file name and in a shell. */
final class StageNames {

  static final String RULE =
      "names must match [a-z0-9][a-z0-9_.@-]*, have at most " + StageNames.MAX_LENGTH
          + " characters and must not contain '..' or '/'; rename it";

  /** Names become file names (results/, names/), which most file systems cap at 255 bytes. */
  static final int MAX_LENGTH = 128;

  /** '@' joins a matrix group's name to its combination, as in DVC ({@code attack@8-255}). */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.@-]*");

  private StageNames() {}

  static boolean isValid(String name) {
    return name.length() <= MAX_LENGTH && NAME.matcher(name).matches() && !name.contains("..");
  }
}
