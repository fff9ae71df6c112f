package io.robustcl.cli;

import picocli.CommandLine.Command;

/** {@code pipeline}: the root of the command tree. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    version = "robustcl pipeline",
    description = {
        "Content-hashed DAG pipeline that rebuilds the result tables of RoCL, UPAT, ASCL and RUSH.",
        "Exit codes: 0 ok, 1 a stage failed (or verify found corruption), 2 bad usage or bad config."},
    subcommands = {
        RunCommand.class, PlanCommand.class, ShowCommand.class, DagCommand.class, StagesCommand.class,
        VerifyCommand.class, GcCommand.class, ExecStageCommand.class, ReportCommand.class, DiffCommand.class,
        picocli.CommandLine.HelpCommand.class})
final class RootCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
