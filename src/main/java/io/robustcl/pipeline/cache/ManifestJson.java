package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonWriter;
import io.robustcl.pipeline.Params;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The JSON form of a {@link Manifest}, format version {@value #FORMAT_VERSION}.
 *
 * <p>Params keep their types: a {@code Long} is written as an integer literal ({@code 3}),
 * a {@code Double} always with a fraction or exponent ({@code 3.0}, {@code 1.0E-5}), and read
 * back accordingly. Non-finite metrics are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}. Readers reject any other format version with a
 * {@link ManifestFormatException}.
 *
 * <p>The {@code seal} field is the SHA-256 of the manifest's canonical body: every other field,
 * as this class writes it for the parsed record, with object keys sorted and no whitespace.
 * The content hash covers the artifact's files, the seal covers the manifest itself (metrics,
 * params, inputs, times), so a flipped metric is detected by {@code lookup} and
 * {@code verify} instead of being published. It detects corruption, not forgery: whoever can
 * write the cache can recompute it. Version 1 manifests had no seal and are rebuilt.
 *
 * <p>File paths must pass {@link ArtifactPaths#problem}: a manifest listing
 * {@code ../../outside.txt} is unreadable, not trusted.
 */
public final class ManifestJson {

  /** The format version this class writes and the only one it reads. */
  public static final int FORMAT_VERSION = 2;

  private static final String FORMAT = "robustcl-manifest";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private ManifestJson() {}

  /** {@code manifest} as pretty-printed JSON. */
  public static String write(Manifest manifest) {
    JsonObject root = body(manifest);
    root.addProperty("seal", seal(root));
    return GSON.toJson(root) + "\n";
  }

  /**
   * The SHA-256 of {@code body}'s canonical form (keys sorted recursively, no whitespace). One
   * {@link JsonWriter} writes the whole body: Gson's compact output of each element, the same
   * text as serialising key by key, without a writer per key and per value (a cached run reads
   * every manifest of its targets, so this is on its hot path).
   */
  private static String seal(JsonObject body) {
    java.io.StringWriter canonical = new java.io.StringWriter(1024);
    try {
      JsonWriter out = new JsonWriter(canonical);
      out.setHtmlSafe(false);
      out.setLenient(true); // as Gson.toJson(JsonElement) writes
      canonical(body, out);
      out.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // a StringWriter does not throw
    }
    return com.google.common.hash.Hashing.sha256()
        .hashString(canonical.getBuffer(), java.nio.charset.StandardCharsets.UTF_8).toString();
  }

  private static void canonical(JsonElement e, JsonWriter out) throws java.io.IOException {
    if (e.isJsonObject()) {
      out.beginObject();
      for (Map.Entry<String, JsonElement> entry : new TreeMap<>(e.getAsJsonObject().asMap()).entrySet()) {
        out.name(entry.getKey());
        canonical(entry.getValue(), out);
      }
      out.endObject();
    } else if (e.isJsonArray()) {
      out.beginArray();
      for (JsonElement item : e.getAsJsonArray()) {
        canonical(item, out);
      }
      out.endArray();
    } else if (e.isJsonNull()) {
      out.nullValue();
    } else {
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isNumber()) {
        out.value(p.getAsNumber());
      } else if (p.isBoolean()) {
        out.value(p.getAsBoolean());
      } else {
        out.value(p.getAsString());
      }
    }
  }

  /** Every field but the seal. */
  private static JsonObject body(Manifest manifest) {
    JsonObject root = new JsonObject();
    root.addProperty("format", FORMAT);
    root.addProperty("formatVersion", FORMAT_VERSION);
    root.addProperty("key", manifest.key());
    root.addProperty("stageName", manifest.stageName());
    root.addProperty("stageType", manifest.stageType());
    root.addProperty("stageVersion", manifest.stageVersion());
    root.addProperty("outputKind", manifest.outputKind());
    root.add("params", paramValue(manifest.params().asMap()));
    JsonObject inputs = new JsonObject();
    manifest.inputs().forEach((port, refs) -> {
      JsonArray list = new JsonArray();
      for (InputRef ref : refs) {
        JsonObject o = new JsonObject();
        o.addProperty("stage", ref.stageName());
        o.addProperty("key", ref.key());
        o.addProperty("contentHash", ref.contentHash());
        list.add(o);
      }
      inputs.add(port, list);
    });
    root.add("inputs", inputs);
    JsonObject files = new JsonObject();
    manifest.files().forEach((path, entry) -> {
      JsonObject o = new JsonObject();
      o.addProperty("sha256", entry.sha256());
      o.addProperty("size", entry.size());
      files.add(path, o);
    });
    root.add("files", files);
    root.addProperty("contentHash", manifest.contentHash());
    JsonObject metrics = new JsonObject();
    manifest.metrics().forEach((name, value) -> metrics.add(name, metricValue(value)));
    root.add("metrics", metrics);
    root.addProperty("startTime", manifest.startTime().toString());
    root.addProperty("endTime", manifest.endTime().toString());
    root.addProperty("device", manifest.device());
    JsonObject versions = new JsonObject();
    manifest.versions().forEach(versions::addProperty);
    root.add("versions", versions);
    JsonObject execution = new JsonObject();
    manifest.execution().forEach(execution::addProperty);
    root.add("execution", execution);
    return root;
  }

  /**
   * Parses a manifest.
   *
   * @param source names the manifest in errors, e.g. its path
   * @throws ManifestFormatException naming {@code source} and the field if the text is not a
   *     manifest of format version {@value #FORMAT_VERSION}
   */
  public static Manifest read(String json, String source) {
    JsonObject root;
    try {
      JsonElement parsed = JsonParser.parseString(json);
      if (!parsed.isJsonObject()) {
        throw new ManifestFormatException(source + ": not a robustcl manifest (not a JSON object)");
      }
      root = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new ManifestFormatException(source + ": malformed JSON: " + e.getMessage(), e);
    }
    Reader r = new Reader(root, source);
    if (!root.has("formatVersion") || !FORMAT.equals(r.optString("format"))) {
      throw new ManifestFormatException(source + ": not a robustcl manifest (no \"format\": \"" + FORMAT
          + "\" and \"formatVersion\")");
    }
    long version = r.integer(root, "formatVersion");
    if (version != FORMAT_VERSION) {
      throw new ManifestFormatException(source + ": manifest format version " + version
          + " is not supported; this robustcl reads version " + FORMAT_VERSION
          + " (the artifact was written by another robustcl: use that one, or remove the artifact"
          + " with `pipeline gc` or by hand so that it is rebuilt)");
    }
    try {
      ImmutableSortedMap<String, FileEntry> files = r.map("files",
          e -> new FileEntry(r.string(r.object(e, "files entry"), "sha256"),
              r.integer(r.object(e, "files entry"), "size")));
      for (String path : files.keySet()) {
        String problem = ArtifactPaths.problem(path);
        if (problem != null) {
          throw new ManifestFormatException(source + ": unsafe file path '" + ArtifactPaths.shown(path) + "' ("
              + problem + "); the manifest is not trusted");
        }
      }
      Manifest manifest = new Manifest(
          r.string(root, "key"),
          r.string(root, "stageName"),
          r.string(root, "stageType"),
          Math.toIntExact(r.integer(root, "stageVersion")),
          r.string(root, "outputKind"),
          Params.of(r.paramMap(r.object(root.get("params"), "params"), "params")),
          r.map("inputs", e -> {
            ImmutableList.Builder<InputRef> refs = ImmutableList.builder();
            for (JsonElement ref : r.array(e, "inputs entry")) {
              JsonObject o = r.object(ref, "input");
              refs.add(new InputRef(r.string(o, "stage"), r.string(o, "key"), r.string(o, "contentHash")));
            }
            return refs.build();
          }),
          files,
          r.string(root, "contentHash"),
          r.map("metrics", r::metric),
          r.instant("startTime"),
          r.instant("endTime"),
          r.string(root, "device"),
          r.map("versions", e -> r.primitiveString(e, "versions entry")),
          root.has("execution") ? r.map("execution", e -> r.primitiveString(e, "execution entry")) : ImmutableSortedMap.of());
      String expected = ContentHash.of(files);
      if (!expected.equals(manifest.contentHash())) {
        throw new ManifestFormatException(source + ": contentHash " + manifest.contentHash()
            + " does not match its files (expected " + expected + ")");
      }
      String seal = r.string(root, "seal");
      if (!seal.equals(seal(body(manifest)))) {
        throw new ManifestFormatException(source + ": the manifest's seal does not match its content (a metric,"
            + " param or other field was changed after commit); it is not trusted");
      }
      return manifest;
    } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      if (e instanceof ManifestFormatException) {
        throw e;
      }
      throw new ManifestFormatException(source + ": " + e.getMessage(), e);
    }
  }

  /** {@code params} in the manifest's typed JSON form (integers stay integers, decimals keep their point). */
  public static JsonElement paramsJson(Params params) {
    return paramValue(params.asMap());
  }

  /**
   * Params read back from {@link #paramsJson}'s form.
   *
   * @throws ManifestFormatException naming {@code source} if a value is not a param value
   */
  public static Params paramsFromJson(JsonObject json, String source) {
    return Params.of(new Reader(json, source).paramMap(json, "params"));
  }

  private static JsonElement paramValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      JsonObject o = new JsonObject();
      map.forEach((k, v) -> o.add((String) k, paramValue(v)));
      return o;
    }
    if (value instanceof List<?> list) {
      JsonArray a = new JsonArray();
      list.forEach(v -> a.add(paramValue(v)));
      return a;
    }
    if (value instanceof String s) {
      return new JsonPrimitive(s);
    }
    if (value instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    if (value instanceof Long || value instanceof Double) {
      // Long.toString never has '.', Double.toString always has '.' or 'E': types survive.
      return new JsonPrimitive((Number) value);
    }
    throw new IllegalArgumentException("param value " + value + " is not in normal form");
  }

  private static JsonElement metricValue(double value) {
    return Double.isFinite(value) ? new JsonPrimitive(value) : new JsonPrimitive(Double.toString(value));
  }

  /** Typed field access whose errors name the manifest and the field. */
  private record Reader(JsonObject root, String source) {

    ManifestFormatException error(String what) {
      return new ManifestFormatException(source + ": " + what);
    }

    JsonElement field(JsonObject o, String name) {
      JsonElement e = o.get(name);
      if (e == null || e.isJsonNull()) {
        throw error("missing field \"" + name + "\"");
      }
      return e;
    }

    @org.jspecify.annotations.Nullable String optString(String name) {
      JsonElement e = root.get(name);
      return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    String string(JsonObject o, String name) {
      return primitiveString(field(o, name), name);
    }

    String primitiveString(JsonElement e, String what) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw error("\"" + what + "\" must be a string, found " + e);
      }
      return e.getAsString();
    }

    long integer(JsonObject o, String name) {
      JsonElement e = field(o, name);
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw error("\"" + name + "\" must be an integer, found " + e);
      }
      try {
        return Long.parseLong(e.getAsNumber().toString());
      } catch (NumberFormatException ex) {
        throw error("\"" + name + "\" must be an integer, found " + e);
      }
    }

    JsonObject object(JsonElement e, String what) {
      if (!e.isJsonObject()) {
        throw error("\"" + what + "\" must be an object, found " + e);
      }
      return e.getAsJsonObject();
    }

    JsonArray array(JsonElement e, String what) {
      if (!e.isJsonArray()) {
        throw error("\"" + what + "\" must be an array, found " + e);
      }
      return e.getAsJsonArray();
    }

    <V> ImmutableSortedMap<String, V> map(String name, Function<JsonElement, V> value) {
      ImmutableSortedMap.Builder<String, V> out = ImmutableSortedMap.naturalOrder();
      for (Map.Entry<String, JsonElement> e : object(field(root, name), name).entrySet()) {
        out.put(e.getKey(), value.apply(e.getValue()));
      }
      return out.build();
    }

    Double metric(JsonElement e) {
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
        return e.getAsDouble();
      }
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
        switch (e.getAsString()) {
          case "NaN":
            return Double.NaN;
          case "Infinity":
            return Double.POSITIVE_INFINITY;
          case "-Infinity":
            return Double.NEGATIVE_INFINITY;
          default:
            break;
        }
      }
      throw error("metric value must be a number, \"NaN\" or \"(-)Infinity\", found " + e);
    }

    Instant instant(String name) {
      String text = string(root, name);
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw error("\"" + name + "\" is not an ISO-8601 instant: " + text);
      }
    }

    Map<String, Object> paramMap(JsonObject o, String path) {
      Map<String, Object> out = new TreeMap<>();
      for (Map.Entry<String, JsonElement> e : o.entrySet()) {
        out.put(e.getKey(), param(e.getValue(), path + "." + e.getKey()));
      }
      return out;
    }

    Object param(JsonElement e, String path) {
      if (e.isJsonObject()) {
        return paramMap(e.getAsJsonObject(), path);
      }
      if (e.isJsonArray()) {
        List<Object> out = new java.util.ArrayList<>();
        for (JsonElement element : e.getAsJsonArray()) {
          out.add(param(element, path + "[]"));
        }
        return out;
      }
      if (e.isJsonPrimitive()) {
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
          return p.getAsBoolean();
        }
        if (p.isString()) {
          return p.getAsString();
        }
        String text = p.getAsNumber().toString();
        try {
          if (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
            return Double.parseDouble(text);
          }
          return Long.parseLong(text);
        } catch (NumberFormatException ex) {
          throw error("param " + path + ": bad number " + text);
        }
      }
      throw error("param " + path + " is null");
    }
  }
}
