package io.robustcl.cli;

import io.robustcl.pipeline.cache.VerifyReport;
import io.robustcl.pipeline.exec.ArtifactStores;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline verify}: re-hash every artifact, quarantine corrupt ones (exit 1 if any). */
@Command(name = "verify", description = "Re-hash every cached artifact; quarantine corrupt ones so the next run rebuilds them (exit 1 if any).")
final class VerifyCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CacheOption cache;

  private final ArtifactStores stores;

  @Inject
  VerifyCommand(ArtifactStores stores) {
    this.stores = stores;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    VerifyReport report = stores.open(cache.dir()).verify();
    for (VerifyReport.Corrupt c : report.quarantined()) {
      out.printf("corrupt %s -> %s%n", c.key(), c.movedTo());
      c.problems().forEach(p -> out.printf("  %s%n", p));
    }
    report.busy().forEach(k -> out.printf("skipped %s (locked by a running process)%n", k));
    out.printf("verify: %d intact, %d corrupt (quarantined), %d skipped%n",
        report.checked(), report.quarantined().size(), report.busy().size());
    out.flush();
    return report.clean() ? 0 : Commands.FAILED;
  }
}
