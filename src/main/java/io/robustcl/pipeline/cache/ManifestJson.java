package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Ordering;
import com.google.common.hash.Hashing;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import io.robustcl.pipeline.Params;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

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

  static final String FORMAT = "robustcl-manifest";

  private ManifestJson() {}

  /** {@code manifest} as pretty-printed JSON. */
  public static String write(Manifest manifest) {
    TextBuffer text = new TextBuffer(2048);
    try {
      JsonWriter out = writer(text);
      out.setIndent("  ");
      out.beginObject();
      writeFields(manifest, out, false);
      out.name("seal").value(seal(manifest));
      out.endObject();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a TextBuffer does not throw
    }
    return text.text.append('\n').toString();
  }

  /**
   * The SHA-256 of {@code manifest}'s canonical body: every field but the seal, keys sorted
   * at every level, no whitespace, written by Gson's {@link JsonWriter} (numbers as
   * {@code Long.toString} and {@code Double.toString}, Gson's string escapes without HTML
   * escaping). Manifests sealed by the tree-based writer of earlier versions
   * ({@code Gson.toJson} of each element of the sorted tree) verify unchanged: the text is
   * the same byte for byte (ManifestSealTest).
   */
  static String seal(Manifest manifest) {
    TextBuffer canonical = new TextBuffer(1536);
    try {
      JsonWriter out = writer(canonical);
      out.beginObject();
      writeFields(manifest, out, true);
      out.endObject();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a TextBuffer does not throw
    }
    return Hashing.sha256().hashString(canonical.text, StandardCharsets.UTF_8).toString();
  }

  /**
   * A {@link Writer} into a {@link StringBuilder}: JsonWriter writes a few characters per call,
   * and a StringWriter (a synchronized StringBuffer) or an encoding stream writer (a buffer
   * wrapped per call) cost more than the writing itself on this hot path.
   */
  private static final class TextBuffer extends Writer {
    final StringBuilder text;

    TextBuffer(int capacity) {
      text = new StringBuilder(capacity);
    }

    @Override
    public void write(int c) {
      text.append((char) c);
    }

    @Override
    public void write(char[] chars, int offset, int length) {
      text.append(chars, offset, length);
    }

    @Override
    public void write(String s, int offset, int length) {
      text.append(s, offset, offset + length);
    }

    @Override
    public Writer append(CharSequence s) {
      text.append(s);
      return this;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  private static JsonWriter writer(Writer text) {
    JsonWriter out = new JsonWriter(text);
    out.setHtmlSafe(false);
    out.setLenient(true); // as Gson.toJson(JsonElement) writes
    return out;
  }

  /** Every field but the seal, in the order of the file. */
  private static final ImmutableList<String> FIELDS = ImmutableList.of(
      "format", "formatVersion", "key", "stageName", "stageType", "stageVersion", "outputKind", "params", "inputs",
      "files", "contentHash", "metrics", "startTime", "endTime", "device", "versions", "execution");

  /** The same, sorted: the order of the seal's canonical text. */
  private static final ImmutableList<String> CANONICAL_FIELDS = ImmutableList.sortedCopyOf(FIELDS);

  /**
   * Every field but the seal, in the file's order or, {@code canonical}, sorted by name. The
   * maps of a manifest and of its params are sorted maps in natural order already (records
   * and {@link Params} normal form), so only the top level and the input refs need sorting.
   */
  private static void writeFields(Manifest m, JsonWriter out, boolean canonical) throws IOException {
    for (String name : canonical ? CANONICAL_FIELDS : FIELDS) {
      out.name(name);
      writeField(name, m, out, canonical);
    }
  }

  private static void writeField(String name, Manifest m, JsonWriter o, boolean canonical) throws IOException {
    switch (name) {
      case "format" -> o.value(FORMAT);
      case "formatVersion" -> o.value(FORMAT_VERSION);
      case "key" -> o.value(m.key());
      case "stageName" -> o.value(m.stageName());
      case "stageType" -> o.value(m.stageType());
      case "stageVersion" -> o.value(m.stageVersion());
      case "outputKind" -> o.value(m.outputKind());
      case "params" -> writeParam(o, m.params().asMap());
      case "inputs" -> {
        o.beginObject();
        for (Map.Entry<String, ImmutableList<InputRef>> port : sorted(m.inputs()).entrySet()) {
          o.name(port.getKey()).beginArray();
          for (InputRef ref : port.getValue()) {
            o.beginObject();
            if (canonical) {
              o.name("contentHash").value(ref.contentHash()).name("key").value(ref.key()).name("stage").value(ref.stageName());
            } else {
              o.name("stage").value(ref.stageName()).name("key").value(ref.key()).name("contentHash").value(ref.contentHash());
            }
            o.endObject();
          }
          o.endArray();
        }
        o.endObject();
      }
      case "files" -> {
        o.beginObject();
        for (Map.Entry<String, FileEntry> file : sorted(m.files()).entrySet()) {
          o.name(file.getKey()).beginObject().name("sha256").value(file.getValue().sha256())
              .name("size").value(file.getValue().size()).endObject();
        }
        o.endObject();
      }
      case "contentHash" -> o.value(m.contentHash());
      case "metrics" -> {
        o.beginObject();
        for (Map.Entry<String, Double> metric : sorted(m.metrics()).entrySet()) {
          double v = metric.getValue();
          o.name(metric.getKey());
          if (Double.isFinite(v)) {
            o.value(v);
          } else {
            o.value(Double.toString(v)); // "NaN", "Infinity", "-Infinity": JSON has no literal for them
          }
        }
        o.endObject();
      }
      case "startTime" -> o.value(m.startTime().toString());
      case "endTime" -> o.value(m.endTime().toString());
      case "device" -> o.value(m.device());
      case "versions" -> writeStrings(o, m.versions());
      case "execution" -> writeStrings(o, m.execution());
      default -> throw new IllegalStateException("no manifest field " + name);
    }
  }

  private static void writeStrings(JsonWriter out, SortedMap<String, String> map) throws IOException {
    out.beginObject();
    for (Map.Entry<String, String> e : sorted(map).entrySet()) {
      out.name(e.getKey()).value(e.getValue());
    }
    out.endObject();
  }

  /** {@code map} in natural key order: itself when it is sorted so already (always, for the maps of a record). */
  @SuppressWarnings("unchecked")
  private static <V> SortedMap<String, V> sorted(Map<String, V> map) {
    if (map instanceof SortedMap<?, ?> s && (s.comparator() == null || s.comparator().equals(Ordering.natural()))) {
      return (SortedMap<String, V>) s;
    }
    return new TreeMap<>(map);
  }

  /** A param value in its typed JSON form: integers stay integers, decimals keep their point. */
  @SuppressWarnings("unchecked")
  private static void writeParam(JsonWriter out, Object value) throws IOException {
    if (value instanceof Map<?, ?> map) {
      out.beginObject();
      for (Map.Entry<String, Object> e : sorted((Map<String, Object>) map).entrySet()) {
        out.name(e.getKey());
        writeParam(out, e.getValue());
      }
      out.endObject();
    } else if (value instanceof List<?> list) {
      out.beginArray();
      for (Object v : list) {
        writeParam(out, v);
      }
      out.endArray();
    } else if (value instanceof String s) {
      out.value(s);
    } else if (value instanceof Boolean b) {
      out.value(b);
    } else if (value instanceof Long l) {
      out.value(l); // Long.toString never has '.', Double.toString always has '.' or 'E': types survive
    } else if (value instanceof Double d) {
      out.value(d);
    } else {
      throw new IllegalArgumentException("param value " + value + " is not in normal form");
    }
  }

  /**
   * Parses a manifest (one streaming pass, see {@link ManifestReader}) and checks its content
   * hash and its seal.
   *
   * @param source names the manifest in errors, e.g. its path
   * @throws ManifestFormatException naming {@code source} and the field if the text is not a
   *     manifest of format version {@value #FORMAT_VERSION}
   */
  public static Manifest read(String json, String source) {
    ManifestReader.Read read = ManifestReader.read(json, source);
    check(read, source);
    return read.manifest();
  }

  /**
   * Checks the content hash and the seal of a manifest as {@link ManifestReader} read it.
   *
   * @throws ManifestFormatException naming {@code source} if either does not match, or the seal is missing
   */
  static void check(ManifestReader.Read read, String source) {
    Manifest manifest = read.manifest();
    String expected = ContentHash.of(manifest.files());
    if (!expected.equals(manifest.contentHash())) {
      throw new ManifestFormatException(source + ": contentHash " + manifest.contentHash()
          + " does not match its files (expected " + expected + ")");
    }
    if (read.seal() == null) {
      throw new ManifestFormatException(source + ": missing field \"seal\"");
    }
    if (!read.seal().equals(seal(manifest))) {
      throw new ManifestFormatException(source + ": the manifest's seal does not match its content (a metric,"
          + " param or other field was changed after commit); it is not trusted");
    }
  }

  /** {@code params} in the manifest's typed JSON form (integers stay integers, decimals keep their point). */
  public static JsonElement paramsJson(Params params) {
    TextBuffer text = new TextBuffer(256);
    try {
      JsonWriter out = writer(text);
      writeParam(out, params.asMap());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a TextBuffer does not throw
    }
    return JsonParser.parseString(text.text.toString());
  }

  /**
   * Params read back from {@link #paramsJson}'s form.
   *
   * @throws ManifestFormatException naming {@code source} if a value is not a param value
   */
  public static Params paramsFromJson(JsonObject json, String source) {
    return ManifestReader.params(json.toString(), source);
  }
}
