/**
 * The resident tool daemon: a long-lived JVM per checkout and build that serves the launcher's
 * quick commands (plan, show, dag, stages, diff, and the probe of {@code run} with the fully
 * cached run it may turn into) over a Unix domain socket, so that they skip the JVM start, class
 * loading and JIT warm-up that dominate them. Like Gradle's daemon, sbt's server or Bazel's
 * server. {@link io.robustcl.cli.daemon.DaemonClient} is the tiny client the launcher starts
 * (JDK classes only); {@link io.robustcl.cli.daemon.DaemonServer} the daemon;
 * {@link io.robustcl.cli.daemon.ToolRoute} decides which command lines it serves. Training never
 * runs here.
 */
@NullMarked
package io.robustcl.cli.daemon;

import org.jspecify.annotations.NullMarked;
