package io.robustcl.pipeline.launch;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.cache.ManifestJson;
import io.robustcl.pipeline.exec.LaunchRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * One resolved stage as a file that another process runs: {@code pipeline exec-stage --job
 * FILE}. Inputs travel as the directories of committed artifacts; the child reads each one's
 * {@code manifest.json} itself, so it needs no pipeline file and no access to the store's
 * index, only the same paths (a shared filesystem for Slurm).
 *
 * @param stageName the stage's name in the pipeline file
 * @param stageType the bound stage type
 * @param key the stage's key
 * @param params fully resolved params
 * @param inputs per port, the input artifacts as (feeding stage name, artifact directory)
 * @param outputDir where the child writes the artifact's files
 * @param workDir the key's checkpoint directory
 * @param device the device as the child sees it ({@code cpu} or {@code gpu:0})
 * @param resultFile where the child writes its {@link JobResult}
 */
public record StageJob(
    String stageName,
    String stageType,
    String key,
    Params params,
    ImmutableMap<String, ImmutableList<Input>> inputs,
    Path outputDir,
    Path workDir,
    String device,
    Path resultFile) {

  /** One input artifact: the stage that feeds the port and the committed artifact's directory. */
  public record Input(String stageName, Path dir) {}

  private static final String FORMAT = "robustcl-stage-job";
  private static final int FORMAT_VERSION = 1;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  /** The job of {@code request}, writing into {@code outputDir} and seeing {@code device}. */
  public static StageJob of(LaunchRequest request, Path outputDir, String device, Path resultFile) {
    ImmutableMap.Builder<String, ImmutableList<Input>> inputs = ImmutableMap.builder();
    request.inputs().forEach((port, artifacts) -> inputs.put(port, artifacts.stream()
        .map(a -> new Input(a.stageName(), a.dir().toAbsolutePath()))
        .collect(ImmutableList.toImmutableList())));
    return new StageJob(request.stageName(), request.stageType(), request.key(), request.params(),
        inputs.buildOrThrow(), outputDir.toAbsolutePath(), request.workDir().toAbsolutePath(), device,
        resultFile.toAbsolutePath());
  }

  /** The launch request the child hands to its in-process launcher, with inputs read from their manifests. */
  public LaunchRequest toRequest() {
    ImmutableMap.Builder<String, ImmutableList<Artifact>> artifacts = ImmutableMap.builder();
    inputs.forEach((port, list) -> artifacts.put(port, list.stream()
        .map(StageJob::artifact)
        .collect(ImmutableList.toImmutableList())));
    return new LaunchRequest(stageName, stageType, key, params, artifacts.buildOrThrow(), outputDir, workDir, device,
        io.robustcl.pipeline.config.StageResources.NONE, ImmutableList.of());
  }

  private static Artifact artifact(Input input) {
    Path manifestFile = input.dir().resolve("manifest.json");
    String text;
    try {
      text = Files.readString(manifestFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("input artifact of stage '" + input.stageName() + "' is not readable at "
          + manifestFile + " (" + e.getMessage() + "); does this node see the shared cache at the same path?", e);
    }
    var m = ManifestJson.read(text, manifestFile.toString());
    return new Artifact(input.stageName(), m.stageType(), m.outputKind(), m.key(), m.contentHash(), input.dir(),
        m.params(), ImmutableMap.copyOf(m.metrics()));
  }

  /** Writes this job to {@code file} atomically (a temporary sibling renamed into place). */
  public void write(Path file) throws IOException {
    JsonObject root = new JsonObject();
    root.addProperty("format", FORMAT);
    root.addProperty("formatVersion", FORMAT_VERSION);
    root.addProperty("stageName", stageName);
    root.addProperty("stageType", stageType);
    root.addProperty("key", key);
    root.add("params", ManifestJson.paramsJson(params));
    JsonObject ports = new JsonObject();
    inputs.forEach((port, list) -> {
      JsonArray array = new JsonArray();
      for (Input input : list) {
        JsonObject o = new JsonObject();
        o.addProperty("stage", input.stageName());
        o.addProperty("dir", input.dir().toString());
        array.add(o);
      }
      ports.add(port, array);
    });
    root.add("inputs", ports);
    root.addProperty("outputDir", outputDir.toString());
    root.addProperty("workDir", workDir.toString());
    root.addProperty("device", device);
    root.addProperty("resultFile", resultFile.toString());
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, GSON.toJson(root), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads a job file.
   *
   * @throws IllegalArgumentException naming the file and field if it is not a job file of this format
   */
  public static StageJob read(Path file) throws IOException {
    String where = file.toString();
    JsonObject root;
    try {
      JsonElement parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
      if (!parsed.isJsonObject()) {
        throw new IllegalArgumentException(where + ": not a stage job file");
      }
      root = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(where + ": malformed JSON: " + e.getMessage(), e);
    }
    if (!FORMAT.equals(string(root, "format", where)) || root.get("formatVersion").getAsInt() != FORMAT_VERSION) {
      throw new IllegalArgumentException(where + ": not a " + FORMAT + " file of version " + FORMAT_VERSION
          + " (written by another robustcl?)");
    }
    ImmutableMap.Builder<String, ImmutableList<Input>> inputs = ImmutableMap.builder();
    for (Map.Entry<String, JsonElement> port : root.getAsJsonObject("inputs").entrySet()) {
      ImmutableList.Builder<Input> list = ImmutableList.builder();
      for (JsonElement e : port.getValue().getAsJsonArray()) {
        JsonObject o = e.getAsJsonObject();
        list.add(new Input(string(o, "stage", where), Path.of(string(o, "dir", where))));
      }
      inputs.put(port.getKey(), list.build());
    }
    return new StageJob(
        string(root, "stageName", where), string(root, "stageType", where), string(root, "key", where),
        ManifestJson.paramsFromJson(root.getAsJsonObject("params"), where), inputs.buildOrThrow(),
        Path.of(string(root, "outputDir", where)), Path.of(string(root, "workDir", where)),
        string(root, "device", where), Path.of(string(root, "resultFile", where)));
  }

  private static String string(JsonObject o, String name, String where) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive()) {
      throw new IllegalArgumentException(where + ": missing field \"" + name + "\"");
    }
    return e.getAsString();
  }
}
