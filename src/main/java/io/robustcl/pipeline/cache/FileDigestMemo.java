package io.robustcl.pipeline.cache;

import com.google.common.io.BaseEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * A memo of SHA-256 digests of files by file identity (DVC's "state" database): for each key,
 * the identity of the file whose digest was computed (device, inode, size, modification time,
 * change time) and that digest. A look-up that finds the file's identity unchanged returns the
 * digest without reading the file. The store keeps two: the seals of the manifests it checked
 * (the SHA-256 of their canonical text, most of a fully cached run after parsing), and the
 * content digests of stages' external inputs (a 2.7 GB dataset is read once per change, not
 * once per run).
 *
 * <p>Why the identity suffices: the store writes a manifest once, into a new directory renamed
 * into place, and a dataset is replaced by a copy or rewritten, so a legitimate change is a new
 * inode or a new change time (ctime), which {@code touch} and {@code utimes} cannot set back: a
 * rewrite that forges the modification time is still seen. To close the race where a file is
 * changed within the same clock tick as its last change (git's "racily clean" index entries),
 * only files whose change and modification times are at least {@link #SETTLED} old when read
 * are recorded: any later change then shows a later ctime. What this gives up is re-reading on
 * every run: bit rot that leaves the times alone goes unnoticed by a cached run, as in DVC;
 * {@code pipeline verify} re-hashes every artifact and never consults the memo.
 *
 * <p>The memo is advisory. It is one file, written whole to a temporary file and renamed into
 * place; it starts with a magic number, the memo's format version and the version of what its
 * digests are of, and ends with a CRC-32C of everything before it. A missing, truncated,
 * damaged or foreign-version memo, or one that cannot be read or written, is ignored (and
 * rebuilt by the next save): it can make a look-up slower, never make an unchecked file
 * trusted, and never fail a run. Runs sharing a store each save what they recorded merged into
 * the file's current entries; an entry lost to a concurrent save is just computed again.
 */
final class FileDigestMemo {

  /** A file changed more recently than this when read is not recorded (see the class comment). */
  static final Duration SETTLED = Duration.ofSeconds(2);

  /** A temporary file of a save this old was left by a killed process. */
  private static final Duration TEMPORARY_LEFTOVER = Duration.ofMinutes(10);

  private static final long MAGIC = 0x52434c564d414e49L; // "RCLVMANI", from when manifests had the only memo
  private static final int VERSION = 1;
  private static final int ENTRY_BYTES = 32 + 5 * Long.BYTES + 32;
  private static final int HEADER_BYTES = Long.BYTES + 3 * Integer.BYTES;

  /** What a file is, as far as one {@code stat} tells. */
  record FileIdentity(long device, long inode, long size, long modifiedNanos, long changedNanos) {

    // equals and hashCode by hand: a record's generated ones go through method handles, which
    // the C1-only JIT of a cached run leaves slow (4 % of a 10,000-stage run, JFR)
    @Override
    public boolean equals(Object o) {
      return o instanceof FileIdentity f && device == f.device && inode == f.inode && size == f.size
          && modifiedNanos == f.modifiedNanos && changedNanos == f.changedNanos;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(inode) * 31 + Long.hashCode(changedNanos);
    }

    /** True if neither time is within {@code settled} of {@code now}, nor in the future. */
    boolean settledBy(Instant now, Duration settled) {
      long limit = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano() - settled.toNanos();
      return changedNanos <= limit && modifiedNanos <= limit;
    }
  }

  /** One {@code stat} of a file: its identity, and its {@link BasicFileAttributes#fileKey()}. */
  record Stat(FileIdentity identity, Object fileKey) {

    /** {@code file}'s, or null where the file system has no {@code unix} attribute view. */
    static @Nullable Stat of(Path file) throws IOException {
      Map<String, Object> a;
      try {
        a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime,fileKey");
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        return null;
      }
      if (!(a.get("dev") instanceof Long dev && a.get("ino") instanceof Long inode && a.get("size") instanceof Long size
          && a.get("lastModifiedTime") instanceof FileTime modified && a.get("ctime") instanceof FileTime changed
          && a.get("fileKey") != null)) {
        return null;
      }
      return new Stat(new FileIdentity(dev, inode, size, modified.to(TimeUnit.NANOSECONDS),
          changed.to(TimeUnit.NANOSECONDS)), a.get("fileKey"));
    }

    /**
     * True if {@code now} shows the same file key, size and modification time: what the
     * store's in-process memo compares, with a {@code stat} that is cheaper than this one.
     */
    boolean isStill(BasicFileAttributes now) {
      return fileKey.equals(now.fileKey()) && identity.size() == now.size()
          && identity.modifiedNanos() == now.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }
  }

  private record Entry(FileIdentity file, String digest) {}

  private final Path file;
  private final String name;
  private final int contentVersion;
  private final Duration settled;
  private volatile @Nullable Map<String, Entry> saved;
  /** Entries verified by this process since the last save. */
  private final Map<String, Entry> added = new ConcurrentHashMap<>();
  /** Keys whose recorded file is gone or failed its check: dropped from the file at the next save. */
  private final Set<String> dropped = ConcurrentHashMap.newKeySet();

  /**
   * The memo in {@code file}, whose digests are of version {@code contentVersion} of what they
   * digest (a memo of another version is ignored); a file changed less than {@code settled}
   * before it is read is not recorded.
   */
  FileDigestMemo(Path file, int contentVersion, Duration settled) {
    this.file = file;
    this.name = file.getFileName().toString();
    this.contentVersion = contentVersion;
    this.settled = settled;
  }

  /**
   * The digest recorded for {@code key}, if the file it was recorded for is {@code identity}
   * still; null otherwise.
   */
  @Nullable String digestOf(String key, FileIdentity identity) {
    Entry entry = added.get(key);
    if (entry == null) {
      entry = saved().get(key);
    }
    return entry != null && entry.file().equals(identity) ? entry.digest() : null;
  }

  /** Records that the file of {@code key}, read as {@code identity}, has {@code digest} (64 hex digits). */
  void record(String key, FileIdentity identity, String digest) {
    if (identity.settledBy(Instant.now(), settled) && CacheKeys.isValid(digest)) {
      added.put(key, new Entry(identity, digest));
      dropped.remove(key);
    } else {
      forget(key); // an entry for an older file of this key no longer applies
    }
  }

  /** Forgets {@code key}: its file is gone or failed its check. */
  void forget(String key) {
    added.remove(key);
    if (saved().containsKey(key)) {
      dropped.add(key);
    }
  }

  /**
   * Writes what this process verified, merged into the file's current entries, if anything
   * changed; never throws (the memo is advisory).
   */
  synchronized void save() {
    if (added.isEmpty() && dropped.isEmpty()) {
      return;
    }
    Map<String, Entry> merged = new HashMap<>(read());
    merged.keySet().removeAll(dropped);
    merged.putAll(added);
    Path temporary = file.resolveSibling(name + ".tmp-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    try {
      Files.write(temporary, encode(merged, contentVersion));
      try {
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
      saved = merged;
      added.clear();
      dropped.clear();
    } catch (IOException | RuntimeException e) {
      // a read-only or full cache: the memo just stays as it was
    } finally {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException | RuntimeException e) {
        // left for reset (gc), which removes old temporaries
      }
    }
  }

  /** Deletes the memo (gc: it may name removed files) and temporary files of killed saves. */
  void reset() {
    try {
      Files.deleteIfExists(file);
      try (DirectoryStream<Path> temporaries = Files.newDirectoryStream(file.getParent(), name + ".tmp-*")) {
        Instant old = Instant.now().minus(TEMPORARY_LEFTOVER);
        for (Path t : temporaries) {
          if (Files.getLastModifiedTime(t).toInstant().isBefore(old)) {
            Files.deleteIfExists(t);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // advisory: a memo left behind only names files that are read anyway when they change
    }
    saved = Map.of();
    added.clear();
    dropped.clear();
  }

  private Map<String, Entry> saved() {
    Map<String, Entry> s = saved;
    if (s == null) {
      synchronized (this) {
        s = saved;
        if (s == null) {
          s = read();
          saved = s;
        }
      }
    }
    return s;
  }

  /** The entries of the memo file; empty if it is missing, unreadable or not intact. */
  private Map<String, Entry> read() {
    byte[] bytes;
    try {
      if (Files.size(file) > (long) HEADER_BYTES + (long) ENTRY_BYTES * 10_000_000 + Long.BYTES) {
        return Map.of();
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return decode(bytes, contentVersion);
  }

  static Map<String, Entry> decode(byte[] bytes, int contentVersion) {
    if (bytes.length < HEADER_BYTES + Long.BYTES) {
      return Map.of();
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.getLong() != MAGIC || in.getInt() != VERSION || in.getInt() != contentVersion) {
      return Map.of();
    }
    int count = in.getInt();
    if (count < 0 || (long) HEADER_BYTES + (long) count * ENTRY_BYTES + Long.BYTES != bytes.length) {
      return Map.of();
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - Long.BYTES);
    if (ByteBuffer.wrap(bytes, bytes.length - Long.BYTES, Long.BYTES).getLong() != crc.getValue()) {
      return Map.of();
    }
    Map<String, Entry> entries = new HashMap<>(count * 4 / 3 + 1);
    byte[] key = new byte[32];
    byte[] digest = new byte[32];
    for (int i = 0; i < count; i++) {
      in.get(key);
      FileIdentity identity = new FileIdentity(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
      in.get(digest);
      entries.put(HEX.encode(key), new Entry(identity, HEX.encode(digest)));
    }
    return entries;
  }

  static byte[] encode(Map<String, Entry> entries, int contentVersion) {
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + entries.size() * ENTRY_BYTES + Long.BYTES);
    out.putLong(MAGIC).putInt(VERSION).putInt(contentVersion).putInt(entries.size());
    entries.forEach((key, entry) -> {
      FileIdentity f = entry.file();
      out.put(HEX.decode(key)).putLong(f.device()).putLong(f.inode()).putLong(f.size()).putLong(f.modifiedNanos())
          .putLong(f.changedNanos()).put(HEX.decode(entry.digest()));
    });
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putLong(crc.getValue());
    return out.array();
  }

  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();
}
