package io.robustcl.pipeline.exec;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import java.io.IOException;
import java.net.InetAddress;

/**
 * What a {@link StageLauncher} hands back when a stage succeeded.
 *
 * @param metrics the metrics the stage recorded
 * @param execution where it ran, recorded in the manifest: {@code launcher}, {@code host}, and
 *     what the launcher adds ({@code pid}, {@code slurm_job_id}, {@code node})
 */
public record LaunchOutcome(ImmutableMap<String, Double> metrics, ImmutableSortedMap<String, String> execution) {

  /** This machine's host name, or {@code unknown}. */
  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
