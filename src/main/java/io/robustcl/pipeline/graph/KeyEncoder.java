package io.robustcl.pipeline.graph;

import com.google.common.hash.Hashing;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.config.StageSpec;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Computes stage keys from a canonical, length-prefixed encoding of stage type, version,
 * resolved params and the content hashes of the input artifacts per port. Stage names never
 * enter a key. Stateless and thread-safe.
 *
 * <h2>Encoding (version 1)</h2>
 * Every string is its UTF-8 byte count (int32) then the bytes; every value carries a one-byte
 * type tag, so {@code "1"}, {@code 1} and {@code 1.0} never collide, and no two different
 * inputs share an encoding (plain concatenation would let {@code "ab"+"c"} equal
 * {@code "a"+"bc"}, the pitfall Guava's {@code Hasher} Javadoc warns of):
 * <pre>
 *   "robustcl-stage-key/1"  type  int32 version
 *   params:  value of the sorted param map
 *   inputs:  int32 port count, then per port in sorted order: port, int32 n, n hashes
 *   value := 'S' string | 'L' int64 | 'D' int64 IEEE bits (-0.0 as 0.0) | 'B' byte
 *          | 'A' int32 n, n values | 'M' int32 n, n (string key, value) in key order
 * </pre>
 * Doubles enter by their exact bits, so {@code 8/255} and {@code 0.03137254901960784}
 * (the same double) hash alike while any other double does not.
 */
public final class KeyEncoder {

  private static final String FORMAT = "robustcl-stage-key/1";

  @Inject
  public KeyEncoder() {}

  /**
   * The key of a stage of {@code type} at {@code version} with {@code params}, fed by
   * artifacts whose content hashes are {@code inputContentHashes} (port -> hashes in list
   * order; ports with no artifacts may be absent or empty, alike).
   */
  public StageKey key(String type, int version, Params params, Map<String, ? extends List<String>> inputContentHashes) {
    byte[] material = encode(type, version, params, inputContentHashes);
    return new StageKey(Hashing.sha256().hashBytes(material).toString());
  }

  /** The key of {@code spec}, run by {@code stage}, fed by {@code inputContentHashes}. */
  public StageKey key(StageSpec spec, Stage stage, Map<String, ? extends List<String>> inputContentHashes) {
    return key(spec.type(), stage.version(), spec.params(), inputContentHashes);
  }

  /** The exact bytes that {@link #key} hashes (see the class Javadoc). */
  public byte[] encode(String type, int version, Params params, Map<String, ? extends List<String>> inputContentHashes) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeString(out, FORMAT);
      writeString(out, type);
      out.writeInt(version);
      writeValue(out, params.asMap());
      SortedMap<String, List<String>> ports = new TreeMap<>();
      inputContentHashes.forEach((port, hashes) -> {
        if (!hashes.isEmpty()) {
          ports.put(port, hashes);
        }
      });
      out.writeInt(ports.size());
      for (Map.Entry<String, List<String>> port : ports.entrySet()) {
        writeString(out, port.getKey());
        out.writeInt(port.getValue().size());
        for (String hash : port.getValue()) {
          writeString(out, hash);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream never throws
    }
    return bytes.toByteArray();
  }

  /**
   * A human-readable canonical form of {@code params}, e.g. {@code {eps=0.03137254901960784,
   * steps=10}}: keys sorted, strings quoted, equal params always give equal strings.
   */
  public String canonicalParams(Params params) {
    StringBuilder out = new StringBuilder();
    appendValue(out, params.asMap());
    return out.toString();
  }

  /** The canonical text of one param value (normal form), as {@link #canonicalParams} writes it. */
  public String canonicalValue(Object value) {
    StringBuilder out = new StringBuilder();
    appendValue(out, value);
    return out.toString();
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static void writeValue(DataOutputStream out, Object value) throws IOException {
    if (value instanceof String s) {
      out.writeByte('S');
      writeString(out, s);
    } else if (value instanceof Long l) {
      out.writeByte('L');
      out.writeLong(l);
    } else if (value instanceof Double d) {
      out.writeByte('D');
      out.writeLong(Double.doubleToLongBits(d == 0.0 ? 0.0 : d));
    } else if (value instanceof Boolean b) {
      out.writeByte('B');
      out.writeByte(b ? 1 : 0);
    } else if (value instanceof List<?> list) {
      out.writeByte('A');
      out.writeInt(list.size());
      for (Object element : list) {
        writeValue(out, element);
      }
    } else if (value instanceof Map<?, ?> map) {
      out.writeByte('M');
      TreeMap<String, Object> sorted = sortedCopy(map);
      out.writeInt(sorted.size());
      for (Map.Entry<String, Object> entry : sorted.entrySet()) {
        writeString(out, entry.getKey());
        writeValue(out, entry.getValue());
      }
    } else {
      throw new IllegalArgumentException("value " + value + " of " + value.getClass() + " is not in Params normal form");
    }
  }

  private static void appendValue(StringBuilder out, Object value) {
    if (value instanceof String s) {
      appendQuoted(out, s);
    } else if (value instanceof Double d) {
      out.append(Double.toString(d == 0.0 ? 0.0 : d));
    } else if (value instanceof Long || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(", ");
        }
        appendValue(out, list.get(i));
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> entry : sortedCopy(map).entrySet()) {
        if (!first) {
          out.append(", ");
        }
        first = false;
        out.append(entry.getKey()).append('=');
        appendValue(out, entry.getValue());
      }
      out.append('}');
    } else {
      throw new IllegalArgumentException("value " + value + " of " + value.getClass() + " is not in Params normal form");
    }
  }

  private static void appendQuoted(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static TreeMap<String, Object> sortedCopy(Map<?, ?> map) {
    TreeMap<String, Object> sorted = new TreeMap<>();
    map.forEach((k, v) -> sorted.put((String) k, v));
    return sorted;
  }
}
