package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableList;
import java.lang.management.ManagementFactory;
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
   * {@code crashDir} (so that a native crash can be named with its {@code hs_err} file).
   */
  public ImmutableList<String> command(Path crashDir, List<String> args) {
    return ImmutableList.<String>builder()
        .add(java.toString())
        .addAll(options)
        .add("-XX:ErrorFile=" + crashDir.toAbsolutePath().resolve("hs_err_pid%p.log"))
        .add("-cp", classPath, mainClass)
        .addAll(args)
        .build();
  }
}
