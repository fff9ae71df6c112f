package io.robustcl.cli;

import picocli.CommandLine.Command;

/** {@code pipeline}: the root of the command tree. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    version = "robustcl pipeline",
    description = {
        "Content-hashed DAG pipeline that rebuilds the result tables of RoCL, UPAT, ASCL and RUSH.",
        "Exit codes: 0 ok, 1 a stage failed (or verify found corruption), 2 bad usage or bad config.",
        "Errors are one line each; add --debug (or set ROBUSTCL_DEBUG=1) for stack traces."},
    subcommands = {
        RunCommand.class, PlanCommand.class, ShowCommand.class, ExportCommand.class, DagCommand.class, StagesCommand.class,
        VerifyCommand.class, GcCommand.class, ExecStageCommand.class, ReportCommand.class, DiffCommand.class,
        picocli.CommandLine.HelpCommand.class})
final class RootCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** {@code --debug} or {@code ROBUSTCL_DEBUG=1}: show stack traces (set by {@link Commands}). */
  boolean debug;

  /** Whether the command line of {@code command} asked for stack traces. */
  static boolean debug(picocli.CommandLine.Model.CommandSpec command) {
    return command.root().userObject() instanceof RootCommand root && root.debug;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
