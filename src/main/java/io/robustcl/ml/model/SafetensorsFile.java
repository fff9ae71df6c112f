package io.robustcl.ml.model;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (huggingface/safetensors): an unsigned little-endian 64-bit header
 * length n, n bytes of UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape",
 * "data_offsets": [begin, end]}} (offsets into the data that follows; an optional
 * {@code "__metadata__"} object of strings), then the raw little-endian tensor bytes. Written with
 * Gson and NIO; Python's {@code safetensors} and numpy read it. Float32 and int64 tensors are
 * written; float32, float64 (converted to float32) and int64 are read.
 */
public final class SafetensorsFile {

    /** Largest header accepted: a corrupt length must not allocate gigabytes. */
    private static final long MAX_HEADER = 100L << 20;

    /**
     * A tensor: float32 values or int64 values, row-major.
     *
     * @param shape dimensions ([] for a scalar)
     * @param floats float32 values, or null for an int64 tensor
     * @param longs int64 values, or null for a float32 tensor
     */
    public record Tensor(long[] shape, float[] floats, long[] longs) {

        public static Tensor of(long[] shape, float[] values) {
            return new Tensor(shape, values, null);
        }

        public static Tensor ofLongs(long[] shape, long[] values) {
            return new Tensor(shape, null, values);
        }

        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        String dtype() {
            return floats != null ? "F32" : "I64";
        }
    }

    /**
     * The file's content.
     *
     * @param tensors by name, in file order
     * @param metadata the {@code __metadata__} strings
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private SafetensorsFile() {}

    /** Writes {@code contents} to {@code file} atomically (temporary file, then rename). */
    public static void write(Path file, Contents contents) throws IOException {
        JsonObject header = new JsonObject();
        if (!contents.metadata().isEmpty()) {
            JsonObject meta = new JsonObject();
            contents.metadata().forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            Tensor t = e.getValue();
            long bytes = t.elements() * (t.floats() != null ? 4 : 8);
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", t.dtype());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        // pad the header with spaces to 8 bytes, so that the tensors are aligned (the format allows it)
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded);
        head.put(json);
        for (int i = json.length; i < padded; i++) {
            head.put((byte) ' ');
        }
        head.flip();
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(channel, head);
            for (Tensor t : contents.tensors().values()) {
                ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(t.elements() * (t.floats() != null ? 4 : 8)))
                        .order(ByteOrder.LITTLE_ENDIAN);
                if (t.floats() != null) {
                    data.asFloatBuffer().put(t.floats());
                } else {
                    data.asLongBuffer().put(t.longs());
                }
                writeFully(channel, data);
            }
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Reads a safetensors file.
     *
     * @throws IOException naming the file and what is malformed
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLength
                        + " for a file of " + size + " bytes)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, file);
            JsonObject header;
            try {
                header = new Gson().fromJson(new String(headerBytes.array(), StandardCharsets.UTF_8).trim(),
                        JsonObject.class);
            } catch (JsonParseException e) {
                throw new IOException(file + ": the safetensors header is not JSON: " + e.getMessage());
            }
            long dataStart = 8 + headerLength;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().getAsJsonObject().entrySet()
                            .forEach(m -> metadata.put(m.getKey(), m.getValue().getAsString()));
                    continue;
                }
                tensors.put(e.getKey(), tensor(channel, file, e.getKey(), e.getValue().getAsJsonObject(), dataStart,
                        size));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static Tensor tensor(FileChannel channel, Path file, String name, JsonObject entry, long dataStart,
            long size) throws IOException {
        String dtype = entry.get("dtype").getAsString();
        JsonArray dims = entry.getAsJsonArray("shape");
        long[] shape = new long[dims.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).getAsLong();
            elements *= shape[i];
        }
        JsonArray offsets = entry.getAsJsonArray("data_offsets");
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F64", "I64" -> 8;
            default -> throw new IOException(file + ": tensor '" + name + "' has dtype " + dtype
                    + "; only F32, F64 and I64 are read (convert with tensor.float() before saving)");
        };
        if (begin < 0 || end < begin || dataStart + end > size || end - begin != elements * width) {
            throw new IOException(file + ": tensor '" + name + "' has data_offsets [" + begin + ", " + end
                    + "] that do not fit its shape or the file");
        }
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, data, dataStart + begin, file);
        data.flip();
        int n = Math.toIntExact(elements);
        return switch (dtype) {
            case "F32" -> {
                float[] values = new float[n];
                data.asFloatBuffer().get(values);
                yield Tensor.of(shape, values);
            }
            case "F64" -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (float) data.getDouble(i * 8);
                }
                yield Tensor.of(shape, values);
            }
            default -> {
                long[] values = new long[n];
                data.asLongBuffer().get(values);
                yield Tensor.ofLongs(shape, values);
            }
        };
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new IOException(file + ": truncated safetensors file");
            }
            at += read;
        }
    }
}
