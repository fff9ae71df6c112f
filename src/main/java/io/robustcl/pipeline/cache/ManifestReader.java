package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import io.robustcl.pipeline.Params;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads a manifest's JSON text in one streaming pass ({@link JsonReader}) straight into the
 * {@link Manifest} record, without a JSON tree: a cached run reads the manifest of every stage
 * of its targets, and building a tree, then the record, then a tree again for the seal was
 * about half of a 10,000-stage cached run. {@link ManifestJson#read} then checks the content
 * hash and the seal against the record.
 *
 * <p>The JSON must be strict (RFC 8259). A field given twice is rejected, at any depth: a
 * reader that took one copy would trust text the seal was not computed over. Unknown fields
 * are skipped, as the tree-based reader ignored them (the seal never covered them). A JSON
 * {@code null} counts as a missing field. Numbers keep their literal text until typed: an
 * integer field must be an integer literal, and a param with {@code .}, {@code e} or
 * {@code E} is a {@code Double}, any other a {@code Long}.
 */
final class ManifestReader {

  private final JsonReader in;
  private final String source;

  private ManifestReader(String json, String source) {
    this.in = new JsonReader(new StringReader(json));
    this.source = source;
  }

  /** What the text holds: the manifest, its content hash and seal not yet checked, and the seal (null if absent). */
  record Read(Manifest manifest, @Nullable String seal) {}

  /** The manifest {@code json} holds, before its content hash and seal are checked. */
  static Read read(String json, String source) {
    ManifestReader reader = new ManifestReader(json, source);
    try {
      return reader.manifest();
    } catch (IOException e) {
      throw reader.malformed(e);
    } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      if (e instanceof ManifestFormatException) {
        throw e;
      }
      throw new ManifestFormatException(source + ": " + e.getMessage(), e);
    }
  }

  /** The params {@code json} (an object in {@link ManifestJson}'s typed param form) holds. */
  static Params params(String json, String source) {
    ManifestReader reader = new ManifestReader(json, source);
    try {
      Params params = Params.of(reader.paramMap("params"));
      reader.end();
      return params;
    } catch (IOException e) {
      throw reader.malformed(e);
    }
  }

  private Read manifest() throws IOException {
    String format = null;
    Long formatVersion = null;
    boolean formatChecked = false;
    String key = null;
    String stageName = null;
    String stageType = null;
    Long stageVersion = null;
    String outputKind = null;
    ImmutableSortedMap<String, Object> params = null;
    ImmutableSortedMap<String, ImmutableList<InputRef>> inputs = null;
    ImmutableSortedMap<String, FileEntry> files = null;
    String contentHash = null;
    ImmutableSortedMap<String, Double> metrics = null;
    Instant startTime = null;
    Instant endTime = null;
    String device = null;
    ImmutableSortedMap<String, String> versions = null;
    ImmutableSortedMap<String, String> execution = ImmutableSortedMap.of(); // absent before robustcl recorded it
    String seal = null;
    if (in.peek() != JsonToken.BEGIN_OBJECT) {
      throw error("not a robustcl manifest (not a JSON object)");
    }
    in.beginObject();
    Set<String> names = new HashSet<>();
    while (in.hasNext()) {
      String name = in.nextName();
      if (!names.add(name)) {
        throw twice(name);
      }
      if (isNull()) {
        continue;
      }
      switch (name) {
        case "format" -> format = in.peek() == JsonToken.STRING ? string(name) : skipped("");
        case "formatVersion" -> formatVersion = integer(name);
        case "key" -> key = string(name);
        case "stageName" -> stageName = string(name);
        case "stageType" -> stageType = string(name);
        case "stageVersion" -> stageVersion = integer(name);
        case "outputKind" -> outputKind = string(name);
        case "params" -> params = paramMap(name);
        case "inputs" -> inputs = map(name, port -> inputRefs());
        case "files" -> files = map(name, path -> fileEntry());
        case "contentHash" -> contentHash = string(name);
        case "metrics" -> metrics = map(name, metric -> metric());
        case "startTime" -> startTime = instant(name);
        case "endTime" -> endTime = instant(name);
        case "device" -> device = string(name);
        case "versions" -> versions = map(name, entry -> string("versions entry"));
        case "execution" -> execution = map(name, entry -> string("execution entry"));
        case "seal" -> seal = string(name);
        default -> in.skipValue();
      }
      // as soon as both are known: a manifest of another version may differ in any later field
      if (!formatChecked && format != null && formatVersion != null) {
        checkFormat(format, formatVersion);
        formatChecked = true;
      }
    }
    in.endObject();
    end();
    if (!formatChecked) {
      checkFormat(format, formatVersion);
    }
    files = required(files, "files");
    for (String path : files.keySet()) {
      String problem = ArtifactPaths.problem(path);
      if (problem != null) {
        throw error("unsafe file path '" + ArtifactPaths.shown(path) + "' (" + problem + "); the manifest is not trusted");
      }
    }
    Manifest manifest = new Manifest(
        required(key, "key"),
        required(stageName, "stageName"),
        required(stageType, "stageType"),
        Math.toIntExact(required(stageVersion, "stageVersion")),
        required(outputKind, "outputKind"),
        Params.of(required(params, "params")),
        required(inputs, "inputs"),
        files,
        required(contentHash, "contentHash"),
        required(metrics, "metrics"),
        required(startTime, "startTime"),
        required(endTime, "endTime"),
        required(device, "device"),
        required(versions, "versions"),
        execution);
    return new Read(manifest, seal);
  }

  private void checkFormat(@Nullable String format, @Nullable Long version) {
    if (version == null || !ManifestJson.FORMAT.equals(format)) {
      throw error("not a robustcl manifest (no \"format\": \"" + ManifestJson.FORMAT + "\" and \"formatVersion\")");
    }
    if (version != ManifestJson.FORMAT_VERSION) {
      throw error("manifest format version " + version
          + " is not supported; this robustcl reads version " + ManifestJson.FORMAT_VERSION
          + " (the artifact was written by another robustcl: use that one, or remove the artifact"
          + " with `pipeline gc` or by hand so that it is rebuilt)");
    }
  }

  private <T> T required(@Nullable T value, String name) {
    if (value == null) {
      throw error("missing field \"" + name + "\"");
    }
    return value;
  }

  /** A value read after its name in an object. */
  private interface Value<V> {
    V read(String name) throws IOException;
  }

  /** An object read as a sorted map of name -> value; a name given twice is rejected. */
  private <V> ImmutableSortedMap<String, V> map(String what, Value<V> value) throws IOException {
    TreeMap<String, V> out = new TreeMap<>();
    beginObject(what);
    while (in.hasNext()) {
      String name = in.nextName();
      if (out.put(name, value.read(name)) != null) {
        throw twice(name);
      }
    }
    in.endObject();
    return ImmutableSortedMap.copyOfSorted(out);
  }

  private FileEntry fileEntry() throws IOException {
    String sha256 = null;
    Long size = null;
    beginObject("files entry");
    while (in.hasNext()) {
      String name = in.nextName();
      if (isNull()) {
        continue;
      }
      switch (name) {
        case "sha256" -> sha256 = once(sha256, name, string(name));
        case "size" -> size = once(size, name, integer(name));
        default -> in.skipValue();
      }
    }
    in.endObject();
    return new FileEntry(required(sha256, "sha256"), required(size, "size"));
  }

  private ImmutableList<InputRef> inputRefs() throws IOException {
    ImmutableList.Builder<InputRef> refs = ImmutableList.builder();
    beginArray("inputs entry");
    while (in.hasNext()) {
      String stage = null;
      String key = null;
      String contentHash = null;
      beginObject("input");
      while (in.hasNext()) {
        String name = in.nextName();
        if (isNull()) {
          continue;
        }
        switch (name) {
          case "stage" -> stage = once(stage, name, string(name));
          case "key" -> key = once(key, name, string(name));
          case "contentHash" -> contentHash = once(contentHash, name, string(name));
          default -> in.skipValue();
        }
      }
      in.endObject();
      refs.add(new InputRef(required(stage, "stage"), CacheKeys.requireValid(required(key, "key")),
          CacheKeys.requireValid(required(contentHash, "contentHash"))));
    }
    in.endArray();
    return refs.build();
  }

  private Double metric() throws IOException {
    JsonToken token = in.peek();
    if (token == JsonToken.NUMBER) {
      return Double.parseDouble(in.nextString());
    }
    if (token == JsonToken.STRING) {
      String text = in.nextString();
      switch (text) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          throw error("metric value must be a number, \"NaN\" or \"(-)Infinity\", found \"" + text + "\"");
      }
    }
    throw error("metric value must be a number, \"NaN\" or \"(-)Infinity\", found " + found(token));
  }

  private ImmutableSortedMap<String, Object> paramMap(String path) throws IOException {
    return map(path, name -> param(path + "." + name));
  }

  private Object param(String path) throws IOException {
    JsonToken token = in.peek();
    switch (token) {
      case BEGIN_OBJECT:
        return paramMap(path);
      case BEGIN_ARRAY: {
        List<Object> out = new ArrayList<>();
        beginArray(path);
        while (in.hasNext()) {
          out.add(param(path + "[]"));
        }
        in.endArray();
        return out;
      }
      case BOOLEAN:
        return in.nextBoolean();
      case STRING:
        return in.nextString();
      case NUMBER: {
        String text = in.nextString();
        try {
          if (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
            return Double.parseDouble(text);
          }
          return Long.parseLong(text);
        } catch (NumberFormatException e) {
          throw error("param " + path + ": bad number " + text);
        }
      }
      default:
        throw error("param " + path + " is " + found(token));
    }
  }

  private String string(String name) throws IOException {
    JsonToken token = in.peek();
    if (token != JsonToken.STRING) {
      throw error("\"" + name + "\" must be a string, found " + found(token));
    }
    return in.nextString();
  }

  private long integer(String name) throws IOException {
    JsonToken token = in.peek();
    if (token != JsonToken.NUMBER) {
      throw error("\"" + name + "\" must be an integer, found " + found(token));
    }
    String text = in.nextString();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw error("\"" + name + "\" must be an integer, found " + text);
    }
  }

  private Instant instant(String name) throws IOException {
    String text = string(name);
    Instant plain = plainUtcInstant(text);
    if (plain != null) {
      return plain;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw error("\"" + name + "\" is not an ISO-8601 instant: " + text);
    }
  }

  /**
   * {@code text} as {@link Instant#parse} reads it when it has the form {@link Instant#toString}
   * writes, {@code 2024-01-02T03:04:05.123456789Z} (0 to 9 fraction digits, ranges valid);
   * null for anything else, which goes to {@code Instant.parse} (a leap second, {@code 24:00},
   * a longer year). Every manifest holds two such times, and the formatter's general parser was
   * 5 % of a 10,000-stage cached run.
   */
  static @Nullable Instant plainUtcInstant(String text) {
    int n = text.length();
    if (n < 20 || n > 30 || n == 21 || text.charAt(n - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
        || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':' || n > 20 && text.charAt(19) != '.') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int nanos = 0;
    if (n > 20) {
      int fraction = digits(text, 20, n - 1);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction;
      for (int i = n - 1 - 20; i < 9; i++) {
        nanos *= 10;
      }
    }
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    return java.time.LocalDateTime.of(year, month, day, hour, minute, second, nanos)
        .toInstant(java.time.ZoneOffset.UTC);
  }

  /** The decimal value of {@code text[from, to)}, or -1 unless all of it is ASCII digits. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private ManifestFormatException error(String what) {
    return new ManifestFormatException(source + ": " + what);
  }

  private String found(JsonToken token) {
    return token.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " at " + in.getPath();
  }

  /** True, having consumed it, if the next value is {@code null} (a missing field, as before). */
  private boolean isNull() throws IOException {
    if (in.peek() != JsonToken.NULL) {
      return false;
    }
    in.nextNull();
    return true;
  }

  private <T> T skipped(T value) throws IOException {
    in.skipValue();
    return value;
  }

  private void beginObject(String what) throws IOException {
    JsonToken token = in.peek();
    if (token != JsonToken.BEGIN_OBJECT) {
      throw error("\"" + what + "\" must be an object, found " + found(token));
    }
    in.beginObject();
  }

  private void beginArray(String what) throws IOException {
    JsonToken token = in.peek();
    if (token != JsonToken.BEGIN_ARRAY) {
      throw error("\"" + what + "\" must be an array, found " + found(token));
    }
    in.beginArray();
  }

  /** {@code value} for a field read before as {@code previous} (null: not before). */
  private <T> T once(@Nullable T previous, String name, T value) {
    if (previous != null) {
      throw twice(name);
    }
    return value;
  }

  private ManifestFormatException twice(String name) {
    return error("\"" + name + "\" given twice at " + in.getPath() + "; the manifest is not trusted");
  }

  /** Nothing but whitespace may follow the manifest's object. */
  private void end() throws IOException {
    if (in.peek() != JsonToken.END_DOCUMENT) {
      throw new MalformedJsonException("text after the JSON object at " + in.getPath());
    }
  }

  /** {@link JsonReader}'s syntax errors and an early end of the text, as the one-line error. */
  private ManifestFormatException malformed(IOException e) {
    return new ManifestFormatException(source + ": malformed JSON: "
        + (e instanceof EOFException ? "the text ends inside a value: " : "") + e.getMessage(), e);
  }
}
