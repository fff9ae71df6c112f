package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How to start another robustcl JVM: this JVM's {@code java}, class path and the options that
 * carry over (system properties, heap and stack sizes), then {@code mainClass} and the
 * arguments. Options that only make sense for this process (agents, debuggers, recording a
 * class-data-sharing archive) are left out; the launcher's archive is shared (same class path),
 * which halves a child's start-up.
 *
 * @param java the {@code java} executable
 * @param options JVM options of the child
 * @param classPath the class path
 * @param mainClass the CLI's main class
 */
public record ChildJvm(Path java, ImmutableList<String> options, String classPath, String mainClass) {

  /** A child like this JVM, running {@code mainClass}. */
  public static ChildJvm likeThisJvm(String mainClass) {
    ImmutableList.Builder<String> kept = ImmutableList.builder();
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (carriesOver(option)) {
        kept.add(option);
      }
    }
    return new ChildJvm(Path.of(System.getProperty("java.home"), "bin", "java"), kept.build(),
        System.getProperty("java.class.path"), mainClass);
  }

  static boolean carriesOver(String option) {
    if (option.startsWith("-D")) {
      return !option.startsWith("-Djdk.internal") && !option.startsWith("-Dsun.java.command");
    }
    return option.startsWith("-Xmx") || option.startsWith("-Xms") || option.startsWith("-Xss")
        || option.equals("-XX:+UseSerialGC") || option.equals("-XX:+UseParallelGC") || option.equals("-XX:+UseG1GC")
        || option.startsWith("-XX:SharedArchiveFile=") || option.startsWith("-Xshare:")
        || option.startsWith("-XX:ActiveProcessorCount") || option.startsWith("-XX:MaxDirectMemorySize");
  }

  /**
   * The command line running {@code args} in a child whose fatal-error log goes into
   * {@code crashDir} (so that a native crash can be named with its {@code hs_err} file). The
   * options and the class path go into an argument file in {@code crashDir} ({@code java
   * @file}): a class path of a hundred jars would otherwise make a command line that some
   * tools truncate and that a batch script must quote.
   */
  public ImmutableList<String> command(Path crashDir, List<String> args) {
    StringBuilder file = new StringBuilder();
    for (String option : options) {
      file.append(quoted(option)).append('\n');
    }
    file.append(quoted("-XX:ErrorFile=" + crashDir.toAbsolutePath().resolve("hs_err_pid%p.log"))).append('\n');
    file.append("-cp\n").append(quoted(classPath)).append('\n');
    Path argFile = crashDir.toAbsolutePath().resolve("jvm.args");
    try {
      Files.createDirectories(crashDir);
      Files.writeString(argFile, file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the child JVM's argument file " + argFile, e);
    }
    return ImmutableList.<String>builder()
        .add(java.toString(), "@" + argFile, mainClass)
        .addAll(args)
        .build();
  }

  /** One argument in {@code java}'s argument-file syntax: double-quoted, backslashes and quotes escaped. */
  private static String quoted(String argument) {
    return "\"" + argument.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
