package io.robustcl.ml.train;

import ai.djl.ndarray.NDArray;
import io.robustcl.ml.device.GradientTape;
import io.robustcl.ml.device.HostTransfer;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Epoch checkpoints in one directory: {@code epoch-NNNNNN.ckpt}, where N is the number of completed
 * epochs. A checkpoint holds every given state array (network parameters, batch-norm statistics,
 * optimiser buffers) by name, the run's seed and the epoch count.
 *
 * <p>Format (version 1, big-endian): magic {@code RCLCKPT1}, int version, long seed, int completed
 * epochs, int entry count, entries (UTF name, int rank, long[] dims, float32 data), then the CRC-32 of
 * everything before it as a long. Writes go to a temporary file that is forced to disk and atomically
 * renamed, so a crash leaves either the old or the new checkpoint. The two newest checkpoints are kept.
 *
 * <p>Restores are all-or-nothing: a file is read and checked completely before any array changes.
 * Truncated or corrupt files are skipped (logged) in favour of an older valid one; a valid checkpoint
 * of another model or seed is an error, not a reason to start over silently.
 */
public final class EpochCheckpoints {
  static final int VERSION = 1;
  private static final byte[] MAGIC = "RCLCKPT1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final Pattern NAME = Pattern.compile("epoch-(\\d{6})\\.ckpt");
  private static final int KEEP = 2;
  private static final Logger LOG = LoggerFactory.getLogger(EpochCheckpoints.class);

  private final Path directory;

  public EpochCheckpoints(Path directory) {
    this.directory = directory;
  }

  /** A checkpoint restored into the arrays. */
  public record Restored(Path file, int completedEpochs) {}

  /** Writes the checkpoint after {@code completedEpochs} epochs (reads the arrays to the host). */
  public Path save(int completedEpochs, long seed, List<ModelParameter> state) {
    try {
      Files.createDirectories(directory);
      Path target = directory.resolve(String.format("epoch-%06d.ckpt", completedEpochs));
      Path tmp = Files.createTempFile(directory, target.getFileName().toString(), ".tmp");
      try {
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            OutputStream raw = java.nio.channels.Channels.newOutputStream(channel)) {
          write(new BufferedOutputStream(raw, 1 << 16), completedEpochs, seed, state);
          channel.force(true);
        }
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      prune();
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint in " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores the newest valid checkpoint into {@code state} (in place); empty if there is none.
   *
   * @throws IllegalStateException if the newest valid checkpoint belongs to another seed or model
   */
  public Optional<Restored> restoreNewest(long seed, List<ModelParameter> state) {
    for (Path file : checkpointsNewestFirst()) {
      Optional<Contents> contents = readValid(file);
      if (contents.isEmpty()) {
        continue;
      }
      Contents c = contents.get();
      if (c.seed != seed) {
        throw new IllegalStateException("checkpoint " + file + " was written by a run with seed " + c.seed
            + ", this run has seed " + seed + "; use another checkpoint directory or delete it");
      }
      float[][] values = match(file, c, state);
      GradientTape.withoutRecording(
          () -> {
            for (int i = 0; i < state.size(); i++) {
              HostTransfer.write(state.get(i).array(), values[i]);
            }
          });
      return Optional.of(new Restored(file, c.completedEpochs));
    }
    return Optional.empty();
  }

  private static void write(OutputStream out, int epochs, long seed, List<ModelParameter> state) throws IOException {
    CRC32 crc = new CRC32();
    DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
    data.write(MAGIC);
    data.writeInt(VERSION);
    data.writeLong(seed);
    data.writeInt(epochs);
    data.writeInt(state.size());
    for (ModelParameter p : state) {
      NDArray a = p.array();
      if (a.getDataType() != DataType.FLOAT32) {
        throw new IllegalArgumentException("checkpoint supports float32 state only; " + p.name() + " is " + a.getDataType());
      }
      data.writeUTF(p.name());
      long[] dims = a.getShape().getShape();
      data.writeInt(dims.length);
      for (long d : dims) {
        data.writeLong(d);
      }
      // host copy: checkpoints are written once per epoch; scoped, or it would stay in the root manager
      float[] values = HostTransfer.read(a);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(values.length * 4);
      DataOutputStream vb = new DataOutputStream(bytes);
      for (float v : values) {
        vb.writeFloat(v);
      }
      bytes.writeTo(data);
    }
    data.flush();
    DataOutputStream tail = new DataOutputStream(out);
    tail.writeLong(crc.getValue());
    tail.flush();
  }

  private record Entry(String name, Shape shape, float[] values) {}

  private record Contents(long seed, int completedEpochs, List<Entry> entries) {}

  private static Optional<Contents> readValid(Path file) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      CRC32 crc = new CRC32();
      DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
      byte[] magic = data.readNBytes(MAGIC.length);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        LOG.warn("skipping {}: not a robustcl checkpoint (bad magic at byte 0)", file);
        return Optional.empty();
      }
      int version = data.readInt();
      if (version != VERSION) {
        LOG.warn("skipping {}: checkpoint version {} is not supported (this build reads version {})", file, version, VERSION);
        return Optional.empty();
      }
      long seed = data.readLong();
      int epochs = data.readInt();
      int count = data.readInt();
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = data.readUTF();
        int rank = data.readInt();
        if (rank < 0 || rank > 8) {
          LOG.warn("skipping {}: entry {} has rank {}", file, name, rank);
          return Optional.empty();
        }
        long[] dims = new long[rank];
        long size = 1;
        for (int d = 0; d < rank; d++) {
          dims[d] = data.readLong();
          size *= dims[d];
        }
        if (size < 0 || size > Integer.MAX_VALUE / 4) {
          LOG.warn("skipping {}: entry {} has an impossible size", file, name);
          return Optional.empty();
        }
        float[] values = new float[(int) size];
        for (int k = 0; k < values.length; k++) {
          values[k] = data.readFloat();
        }
        entries.add(new Entry(name, new Shape(dims), values));
      }
      long expected = crc.getValue();
      long stored = new DataInputStream(in).readLong();
      if (stored != expected || in.read() != -1) {
        LOG.warn("skipping {}: checksum mismatch or trailing bytes (file damaged)", file);
        return Optional.empty();
      }
      return Optional.of(new Contents(seed, epochs, entries));
    } catch (EOFException e) {
      LOG.warn("skipping {}: truncated", file);
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  private static float[][] match(Path file, Contents c, List<ModelParameter> state) {
    if (c.entries.size() != state.size()) {
      throw new IllegalStateException("checkpoint " + file + " holds " + c.entries.size()
          + " arrays but the model and optimiser have " + state.size() + "; it belongs to another architecture or method");
    }
    float[][] values = new float[state.size()][];
    for (int i = 0; i < state.size(); i++) {
      Entry e = c.entries.get(i);
      ModelParameter p = state.get(i);
      if (!e.name.equals(p.name()) || !e.shape.equals(p.array().getShape())) {
        throw new IllegalStateException("checkpoint " + file + " entry " + i + " is " + e.name + " " + e.shape
            + " but the model expects " + p.name() + " " + p.array().getShape() + "; it belongs to another architecture");
      }
      values[i] = e.values;
    }
    return values;
  }

  private List<Path> checkpointsNewestFirst() {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "epoch-*.ckpt")) {
      for (Path f : files) {
        if (NAME.matcher(f.getFileName().toString()).matches()) {
          out.add(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + directory, e);
    }
    out.sort(Comparator.comparingInt(EpochCheckpoints::epochOf).reversed());
    return out;
  }

  private static int epochOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  private void prune() throws IOException {
    List<Path> all = checkpointsNewestFirst();
    for (int i = KEEP; i < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
    }
  }
}
