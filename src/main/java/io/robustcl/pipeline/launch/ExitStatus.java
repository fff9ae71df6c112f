package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Turns how a child stage process ended into the one-line reason a user reads. */
final class ExitStatus {

  private static final ImmutableMap<Integer, String> SIGNALS = ImmutableMap.of(
      1, "SIGHUP", 2, "SIGINT", 4, "SIGILL", 6, "SIGABRT", 7, "SIGBUS", 8, "SIGFPE", 9, "SIGKILL",
      11, "SIGSEGV", 15, "SIGTERM");

  private ExitStatus() {}

  /**
   * Why a child failed.
   *
   * @param exitCode its exit code (a JVM killed by signal N reports 128 + N)
   * @param reported the reason the child printed before exiting, if any
   * @param crashDir where its {@code hs_err_pid*.log} would be
   */
  static String describe(int exitCode, @Nullable String reported, Path crashDir) {
    if (reported != null) {
      return reported;
    }
    Optional<Path> crashLog = crashLog(crashDir);
    if (crashLog.isPresent()) {
      return "the stage's JVM crashed in native code (exit " + exitCode + "); see " + crashLog.get();
    }
    if (exitCode > 128 && exitCode < 128 + 65) {
      int signal = exitCode - 128;
      String name = SIGNALS.getOrDefault(signal, "signal " + signal);
      String hint = signal == 9 ? " (by a user, a timeout, or the kernel's out-of-memory killer)" : "";
      return "the stage's process was killed by " + name + hint;
    }
    if (exitCode == 0) {
      return "the stage's process exited 0 without writing its result";
    }
    return "the stage's process exited with code " + exitCode + " without a reason";
  }

  private static Optional<Path> crashLog(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
