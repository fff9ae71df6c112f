package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a child writes when its stage has finished: the metrics, and where it ran. Its presence
 * is what tells the parent that the stage succeeded; an exit code alone is not enough (a
 * Slurm job's batch script can exit 0 after the JVM died).
 *
 * @param metrics the metrics the stage recorded
 * @param host the host name the stage ran on
 */
public record JobResult(ImmutableMap<String, Double> metrics, String host) {

  /** Writes the result atomically. */
  public void write(Path file) throws IOException {
    JsonObject root = new JsonObject();
    JsonObject m = new JsonObject();
    // non-finite metrics as strings, as in manifests: JSON has no NaN
    metrics.forEach((k, v) -> m.add(k, Double.isFinite(v) ? new JsonPrimitive(v) : new JsonPrimitive(v.toString())));
    root.add("metrics", m);
    root.addProperty("host", host);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, root.toString(), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The result in {@code file}, or empty when the child wrote none (it failed or was killed). */
  public static Optional<JobResult> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonObject root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    Map<String, Double> metrics = new TreeMap<>();
    for (Map.Entry<String, JsonElement> e : root.getAsJsonObject("metrics").entrySet()) {
      JsonPrimitive p = e.getValue().getAsJsonPrimitive();
      metrics.put(e.getKey(), p.isNumber() ? p.getAsDouble() : Double.parseDouble(p.getAsString()));
    }
    return Optional.of(new JobResult(ImmutableMap.copyOf(metrics), root.get("host").getAsString()));
  }
}
