package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.HostTransfer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The versioned binary file of a {@link Network}.
 *
 * <p>Layout (big-endian {@link DataOutputStream} primitives): magic {@code "RCLNET\0\0"} (8 bytes); int
 * format version ({@value #VERSION}); int length + UTF-8 JSON of the {@link NetworkSpec}; int parameter
 * count; per parameter: UTF name, int rank, rank longs (shape), then the float32 values as little-endian
 * bytes. Every parameter is stored, batch-norm running statistics included, so a round trip is bit-exact.
 * Writes go to a temporary file moved into place, so a crash never leaves a half-written file.
 */
public final class NetworkFile {

  /** The format version this build writes and reads. */
  public static final int VERSION = 1;

  private static final byte[] MAGIC = "RCLNET\0\0".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_SPEC_BYTES = 1 << 20;
  private static final Gson GSON = new Gson();

  private NetworkFile() {}

  /** Writes {@code network} to {@code file} atomically (temporary file in the same directory, then move). */
  static void write(Network network, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
    try {
      try (DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
        out.write(MAGIC);
        out.writeInt(VERSION);
        byte[] spec = GSON.toJson(network.spec()).getBytes(StandardCharsets.UTF_8);
        out.writeInt(spec.length);
        out.write(spec);
        ParameterList params = network.parameters();
        out.writeInt(params.size());
        for (Pair<String, Parameter> p : params) {
          NDArray a = p.getValue().getArray();
          if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("parameter " + p.getKey() + " is " + a.getDataType() + ", not float32");
          }
          out.writeUTF(p.getKey());
          long[] shape = a.getShape().getShape();
          out.writeInt(shape.length);
          for (long d : shape) {
            out.writeLong(d);
          }
          // one host copy per parameter: saving is a checkpoint, not a hot path
          float[] values = HostTransfer.read(a);
          ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
          bytes.asFloatBuffer().put(values);
          out.write(bytes.array());
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a network file, rebuilding the network from the stored spec on {@code manager}.
   *
   * @param expected when non-null, the file's spec must equal it
   * @throws IllegalArgumentException naming the file: not a network file, unknown version, spec other than
   *     expected, or parameters that do not match the spec's architecture
   * @throws IOException on read errors, including truncation (named with the file)
   */
  static Network read(Path file, NDManager manager, @Nullable NetworkSpec expected) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw bad(file, "is not a robustcl network file (bad magic)");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw bad(file, "has network file format version " + version + "; this build reads version " + VERSION
            + " only (re-run the stage that wrote it)");
      }
      int specLength = in.readInt();
      if (specLength < 2 || specLength > MAX_SPEC_BYTES) {
        throw bad(file, "has a corrupt spec length " + specLength);
      }
      byte[] specBytes = new byte[specLength];
      in.readFully(specBytes);
      NetworkSpec spec = parseSpec(file, new String(specBytes, StandardCharsets.UTF_8));
      if (expected != null && !expected.equals(spec)) {
        throw bad(file, "holds a network of another architecture: " + spec + "; expected " + expected);
      }
      Network network = Network.build(spec, manager);
      ParameterList params = network.parameters();
      int count = in.readInt();
      if (count != params.size()) {
        throw bad(file, "has " + count + " parameters but its spec " + spec + " has " + params.size());
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        Parameter param = params.get(name);
        if (param == null || !seen.add(name)) {
          throw bad(file, "has unexpected or repeated parameter '" + name + "' for spec " + spec);
        }
        int rank = in.readInt();
        if (rank < 0 || rank > 8) {
          throw bad(file, "has a corrupt rank " + rank + " for parameter '" + name + "'");
        }
        long[] dims = new long[rank];
        for (int d = 0; d < rank; d++) {
          dims[d] = in.readLong();
        }
        Shape shape = new Shape(dims);
        NDArray array = param.getArray();
        if (!shape.equals(array.getShape())) {
          throw bad(file, "stores parameter '" + name + "' with shape " + shape + " but the spec needs "
              + array.getShape());
        }
        byte[] raw = new byte[Math.multiplyExact(Math.toIntExact(shape.size()), Float.BYTES)];
        in.readFully(raw);
        float[] values = new float[Math.toIntExact(shape.size())];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        HostTransfer.write(array, values);
      }
      if (in.read() != -1) {
        throw bad(file, "has trailing bytes after the last parameter");
      }
      return network;
    } catch (EOFException e) {
      throw new IOException("network file " + file + " is truncated", e);
    }
  }

  private static NetworkSpec parseSpec(Path file, String json) {
    try {
      NetworkSpec spec = GSON.fromJson(json, NetworkSpec.class);
      if (spec == null || spec.encoder() == null) {
        throw bad(file, "has an empty network spec");
      }
      return spec;
    } catch (JsonParseException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("network file " + file + " has an invalid spec: " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException bad(Path file, String what) {
    return new IllegalArgumentException("network file " + file + " " + what);
  }
}
