package io.robustcl.pipeline.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * The rule for a file's path inside an artifact, as manifests record it: relative,
 * {@code /}-separated, no empty, {@code .} or {@code ..} segment, no backslash or control
 * character. A manifest in a shared cache is input from whoever wrote it: a path such as
 * {@code ../../outside.txt} must never make a reader touch anything outside the artifact or
 * outside {@code --results}.
 */
public final class ArtifactPaths {

  /** The longest path an artifact may record. */
  static final int MAX_LENGTH = 1024;

  private ArtifactPaths() {}

  /** What is wrong with {@code relative} as an artifact path, or null if it is safe. */
  public static @Nullable String problem(String relative) {
    if (relative.isEmpty()) {
      return "empty path";
    }
    if (relative.length() > MAX_LENGTH) {
      return "path longer than " + MAX_LENGTH + " characters";
    }
    if (relative.startsWith("/")) {
      return "absolute path";
    }
    for (int i = 0; i < relative.length(); i++) {
      char c = relative.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        return "backslash or control character in path";
      }
    }
    for (String segment : relative.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "'" + segment + "' segment in path";
      }
    }
    return null;
  }

  /**
   * {@code dir/relative} after checking that {@code relative} is safe and that the file it
   * names is a regular file reached through real directories only (no symbolic link anywhere
   * below {@code dir}).
   *
   * @throws IOException naming the path and the problem
   */
  public static Path regularFileBelow(Path dir, String relative) throws IOException {
    String problem = problem(relative);
    if (problem != null) {
      throw new IOException("unsafe file path '" + shown(relative) + "' in artifact " + dir + ": " + problem);
    }
    Path current = dir;
    String[] segments = relative.split("/");
    for (int i = 0; i < segments.length; i++) {
      current = current.resolve(segments[i]);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        throw new IOException("file " + relative + " of artifact " + dir + " is missing; run `pipeline verify`"
            + " to quarantine the artifact, then run again to rebuild it", e);
      }
      boolean last = i == segments.length - 1;
      if (attrs.isSymbolicLink() || (last ? !attrs.isRegularFile() : !attrs.isDirectory())) {
        throw new IOException("file " + relative + " of artifact " + dir + " is not a regular file below it"
            + " (a symbolic link or special file); run `pipeline verify` to quarantine the artifact");
      }
    }
    return current;
  }

  static String shown(String relative) {
    String cut = relative.length() > 120 ? relative.substring(0, 120) + "..." : relative;
    StringBuilder out = new StringBuilder();
    cut.codePoints().forEach(c -> out.append(c < 0x20 || c == 0x7f ? "?" : Character.toString(c)));
    return out.toString();
  }
}
