package io.robustcl.pipeline.launch;

import com.google.common.base.Joiner;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@link SlurmCommands} by running {@code sbatch}, {@code squeue}, {@code sacct}, {@code scontrol}, {@code scancel}. */
public final class SlurmCli implements SlurmCommands {

  private static final long COMMAND_TIMEOUT_SECONDS = 60;

  @Override
  public String submit(List<String> options, Path script) throws IOException, InterruptedException {
    List<String> command = ImmutableList.<String>builder().add("sbatch", "--parsable").addAll(options)
        .add(script.toString()).build();
    Output out = run(command);
    if (out.exit != 0) {
      throw new StageProcessFailure("sbatch refused the job: " + firstLine(out.text) + " (command: "
          + Joiner.on(' ').join(command) + ")");
    }
    // --parsable prints "jobid" or "jobid;cluster"
    return Splitter.on(';').split(out.text.trim()).iterator().next();
  }

  @Override
  public Map<String, SlurmJobState> queue(Collection<String> jobIds) throws IOException, InterruptedException {
    Output out = run(List.of("squeue", "--noheader", "--states=all", "--user=" + System.getProperty("user.name"),
        "--format=%i|%T|%r|%N"));
    if (out.exit != 0) {
      throw new IOException("squeue failed: " + firstLine(out.text));
    }
    return parse(out.text, new HashSet<>(jobIds));
  }

  @Override
  public Map<String, SlurmJobState> finished(Collection<String> jobIds) throws IOException, InterruptedException {
    Set<String> wanted = new HashSet<>(jobIds);
    Map<String, SlurmJobState> found = new HashMap<>();
    // -X: the allocation only, not its steps; -c: from the job completion log where accounting is off
    for (List<String> flags : List.of(List.<String>of(), List.of("-c"))) {
      List<String> command = ImmutableList.<String>builder().add("sacct", "--noheader", "--parsable2", "-X")
          .addAll(flags).add("--format=JobID,State,ExitCode,NodeList", "--jobs=" + Joiner.on(',').join(wanted)).build();
      Output out = run(command);
      if (out.exit == 0) {
        for (String line : out.text.split("\n")) {
          List<String> f = Splitter.on('|').splitToList(line.trim());
          if (f.size() >= 4 && wanted.contains(f.get(0)) && !f.get(1).isEmpty()) {
            found.putIfAbsent(f.get(0), new SlurmJobState(f.get(0), f.get(1), "exit code " + f.get(2), f.get(3)));
          }
        }
      }
      if (found.keySet().containsAll(wanted)) {
        return found;
      }
    }
    for (String id : wanted) {
      if (!found.containsKey(id)) {
        Output out = run(List.of("scontrol", "--oneliner", "show", "job", id));
        if (out.exit == 0) {
          Map<String, String> fields = new HashMap<>();
          for (String token : out.text.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
              fields.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
            }
          }
          String state = fields.getOrDefault("JobState", "");
          if (!state.isEmpty()) {
            found.put(id, new SlurmJobState(id, state, fields.getOrDefault("Reason", ""), fields.getOrDefault("NodeList", "")));
          }
        }
      }
    }
    return found;
  }

  @Override
  public void cancel(Collection<String> jobIds) throws IOException, InterruptedException {
    if (jobIds.isEmpty()) {
      return;
    }
    run(ImmutableList.<String>builder().add("scancel").addAll(jobIds).build());
  }

  static Map<String, SlurmJobState> parse(String squeueOutput, Set<String> wanted) {
    Map<String, SlurmJobState> out = new HashMap<>();
    for (String line : squeueOutput.split("\n")) {
      List<String> f = Splitter.on('|').splitToList(line.trim());
      if (f.size() >= 4 && wanted.contains(f.get(0))) {
        out.put(f.get(0), new SlurmJobState(f.get(0), f.get(1), f.get(2), f.get(3)));
      }
    }
    return out;
  }

  private record Output(int exit, String text) {}

  private static Output run(List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(command.get(0) + " is not available (" + e.getMessage()
          + "): --launcher slurm needs the Slurm client commands on the PATH", e);
    }
    p.getOutputStream().close();
    byte[] bytes = p.getInputStream().readAllBytes();
    if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command.get(0) + " did not answer within " + COMMAND_TIMEOUT_SECONDS + " s");
    }
    return new Output(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
  }

  private static String firstLine(String text) {
    String t = text.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }
}
