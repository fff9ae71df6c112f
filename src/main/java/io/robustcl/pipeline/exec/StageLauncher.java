package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableMap;

/**
 * Runs one ready stage and waits for it. Today's implementation, {@link
 * InProcessStageLauncher}, runs it on the calling thread; later ones may run it as a child
 * JVM or a batch job, so a launcher receives everything through the {@link LaunchRequest}
 * and hands back only the metrics and where it ran: the files are in {@link
 * LaunchRequest#outputDir()}.
 *
 * <p>The launcher does not commit: the executor hashes and commits the output directory
 * after {@link #launch} returns normally, and discards it if it throws.
 */
@FunctionalInterface
public interface StageLauncher {

  /**
   * Runs the stage to completion.
   *
   * @return the metrics the stage recorded and the facts of where it ran
   * @throws java.util.concurrent.CancellationException or {@link InterruptedException} if
   *     {@code cancel} was set or the thread interrupted while it ran
   * @throws Exception whatever the stage threw
   */
  LaunchOutcome launch(LaunchRequest request, StageEvents events, CancelSignal cancel)
      throws Exception;
}
