package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ArtifactStore} in a local (or shared, POSIX-locking) directory:
 *
 * <pre>
 * root/artifacts/&lt;key&gt;/       committed artifacts: their files and manifest.json
 * root/tmp/&lt;key&gt;.&lt;unique&gt;/    artifacts being written (and ones being replaced or removed)
 * root/work/&lt;key&gt;/            resumable checkpoints, deleted when the key commits
 * root/locks/&lt;key&gt;.lock       per-key OS file locks
 * root/quarantine/&lt;key&gt;.&lt;t&gt;/  corrupt artifacts moved aside by verify
 * root/leases/&lt;pid&gt;-&lt;id&gt;.lease  read leases of running runs (keys gc must keep), OS-locked by their owner
 * </pre>
 *
 * <p>A key lock is an OS lock ({@link FileChannel#tryLock()}, polled while another process
 * holds it: see {@link #pollLock}) on the key's lock file, which the OS releases when the
 * process dies, plus a per-key in-process semaphore, because OS file locks belong to the
 * whole JVM. Every temporary directory of a key is created and removed
 * under the key's lock, so a temporary directory whose key is unlocked belongs to a dead run.
 * Lock files are only deleted by {@link #gc} while it holds them; a locker therefore checks,
 * once it holds the lock, that the path still names the file it locked.
 */
public final class LocalArtifactStore implements ArtifactStore {

  static final String MANIFEST = "manifest.json";

  private final Path root;
  private final Path artifacts;
  private final Path tmp;
  private final Path work;
  private final Path locks;
  private final Path quarantine;
  private final Path leases;
  private volatile @Nullable Path realLocks;

  /** The memo of manifest seals checked by earlier runs, in the store's root. */
  static final String VERIFIED_MANIFESTS = "verified-manifests";
  /** The memo of external inputs' content digests, in the store's root. */
  static final String EXTERNAL_DIGESTS = "external-digests";
  /** What the digests of {@link #EXTERNAL_DIGESTS} are of: version 1, the SHA-256 of the file's bytes. */
  private static final int EXTERNAL_DIGEST_VERSION = 1;

  /** Seals checked by earlier runs (persisted across processes, advisory). */
  private final FileDigestMemo verified;
  /** Content digests of files outside the store that earlier runs read (advisory). */
  private final FileDigestMemo externalDigests;

  /** How many manifests {@link #lookup} checked the content hash and seal of (tests: a memo hit checks none). */
  private final AtomicLong sealsChecked = new AtomicLong();
  private final AtomicLong filesDigested = new AtomicLong();

  /** A store rooted at {@code root}; directories are created when first needed. */
  public LocalArtifactStore(Path root) {
    this(root, FileDigestMemo.SETTLED);
  }

  /** With another settling time for the {@link FileDigestMemo}s (tests). */
  LocalArtifactStore(Path root, Duration settled) {
    this.root = root.toAbsolutePath().normalize();
    this.verified = new FileDigestMemo(this.root.resolve(VERIFIED_MANIFESTS), ManifestJson.FORMAT_VERSION, settled);
    this.externalDigests = new FileDigestMemo(this.root.resolve(EXTERNAL_DIGESTS), EXTERNAL_DIGEST_VERSION, settled);
    this.artifacts = this.root.resolve("artifacts");
    this.tmp = this.root.resolve("tmp");
    this.work = this.root.resolve("work");
    this.locks = this.root.resolve("locks");
    this.quarantine = this.root.resolve("quarantine");
    this.leases = this.root.resolve("leases");
  }

  /** Manifests are small; a huge one is corrupt or hostile and is not read into memory. */
  static final long MAX_MANIFEST_BYTES = 64L << 20;

  /** The store's root directory. */
  public Path root() {
    return root;
  }

  /** Manifests {@link #lookup} parsed and checked, with the identity of the file it read. */
  private final ConcurrentMap<String, ReadManifest> readManifests =
      new ConcurrentHashMap<>();

  private record ReadManifest(FileDigestMemo.Stat file, Manifest manifest) {}

  /**
   * {@inheritDoc}
   *
   * <p>A manifest read before by this store is not parsed and checked again while its file is
   * the same: same inode, size and modification time (one {@code stat}). A cached run reads
   * every manifest twice, once to plan and once to run. Any change to the
   * file, a quarantine, gc or {@code --force} replacing the artifact changes what {@code stat}
   * sees, and a missing file is a miss as before.
   *
   * <p>A manifest first read by this process is parsed; its content hash and seal are not
   * re-computed if an earlier run checked this very file ({@link FileDigestMemo}: same
   * identity, and the same seal in its text). {@link #verify} always re-checks everything.
   */
  @Override
  public Optional<Manifest> lookup(String key) {
    Path file = artifactDir(key).resolve(MANIFEST);
    String json;
    FileDigestMemo.Stat stat;
    FileDigestMemo.FileIdentity identity;
    try {
      ReadManifest seen = readManifests.get(key);
      if (seen != null && seen.file().isStill(Files.readAttributes(file, BasicFileAttributes.class))) {
        return Optional.of(seen.manifest());
      }
      stat = FileDigestMemo.Stat.of(file);
      identity = stat == null ? null : stat.identity();
      long size = identity == null ? Files.size(file) : identity.size();
      if (size > MAX_MANIFEST_BYTES) {
        throw new ManifestFormatException(file + ": larger than " + MAX_MANIFEST_BYTES + " bytes; not a manifest");
      }
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      forget(key);
      return Optional.empty();
    } catch (CharacterCodingException e) {
      forget(key);
      throw new ManifestFormatException(file + ": not UTF-8 text", e);
    } catch (ManifestFormatException e) {
      forget(key);
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + IoProblems.describe(e), e);
    }
    Manifest manifest;
    try {
      ManifestReader.Read read = ManifestReader.read(json, file.toString());
      manifest = read.manifest();
      String sealChecked = identity == null ? null : verified.digestOf(key, identity);
      boolean check = sealChecked == null || !sealChecked.equals(read.seal());
      if (check) {
        sealsChecked.incrementAndGet();
        ManifestJson.check(read, file.toString());
      }
      if (!manifest.key().equals(key)) {
        throw new ManifestFormatException(file + ": manifest is for key " + manifest.key()
            + ", not " + key + "; run `pipeline verify` to quarantine it");
      }
      if (check && identity != null) {
        verified.record(key, identity, Objects.requireNonNull(read.seal()));
      }
    } catch (ManifestFormatException e) {
      forget(key);
      throw e;
    }
    if (stat != null) { // without inodes a rewritten file could look the same: no memo
      readManifests.put(key, new ReadManifest(stat, manifest));
    }
    return Optional.of(manifest);
  }

  private void forget(String key) {
    readManifests.remove(key);
    verified.forget(key);
  }

  @Override
  public void saveVerified() {
    verified.save();
    externalDigests.save();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Read once per change of the file: the digest is memoized by the file's identity
   * ({@link FileDigestMemo}, keyed by the SHA-256 of the absolute path), so a cached run only
   * {@code stat}s a dataset. Without a {@code unix} attribute view every call reads the file.
   */
  @Override
  public String fileDigest(Path file) throws IOException {
    Path absolute = file.toAbsolutePath().normalize();
    String key = Hashing.sha256().hashString(absolute.toString(), StandardCharsets.UTF_8).toString();
    FileDigestMemo.Stat stat = FileDigestMemo.Stat.of(absolute);
    String known = stat == null ? null : externalDigests.digestOf(key, stat.identity());
    if (known != null) {
      return known;
    }
    filesDigested.incrementAndGet();
    String digest = ArtifactStore.super.fileDigest(absolute);
    FileDigestMemo.Stat after = FileDigestMemo.Stat.of(absolute);
    if (after != null && stat != null && after.identity().equals(stat.identity())) {
      externalDigests.record(key, stat.identity(), digest); // not changed while being read
    } else {
      externalDigests.forget(key);
    }
    return digest;
  }

  /** How many files {@link #fileDigest} read (tests: a memo hit reads none). */
  long filesDigested() {
    return filesDigested.get();
  }

  long sealsChecked() {
    return sealsChecked.get();
  }

  @Override
  public Path artifactDir(String key) {
    return artifacts.resolve(CacheKeys.requireValid(key));
  }

  @Override
  public Path workDir(String key) {
    Path dir = work.resolve(CacheKeys.requireValid(key));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + IoProblems.describe(e), e);
    }
    return dir;
  }

  // ---------------------------------------------------------------- locks

  @Override
  public KeyLock lock(String key) throws InterruptedException {
    Path file = lockFile(key);
    Semaphore local = ProcessLocks.of(file);
    local.acquire();
    try {
      OsLock os = acquireOsLock(key, file, true, true);
      return new LocalKeyLock(key, local, Objects.requireNonNull(os));
    } catch (RuntimeException | InterruptedException | Error e) {
      local.release();
      throw e;
    }
  }

  @Override
  public Optional<KeyLock> tryLock(String key) {
    return tryLock(key, true);
  }

  /** Like {@link #tryLock(String)}; with {@code create} false, a missing lock file yields a lock of no file. */
  private Optional<KeyLock> tryLock(String key, boolean create) {
    Path file = lockFile(key);
    Semaphore local = ProcessLocks.of(file);
    if (!local.tryAcquire()) {
      return Optional.empty();
    }
    try {
      OsLock os = acquireOsLock(key, file, false, create);
      if (os == null) {
        local.release();
        return Optional.empty();
      }
      return Optional.of(new LocalKeyLock(key, local, os));
    } catch (InterruptedException e) {
      local.release();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying the lock of " + key, e);
    } catch (RuntimeException | Error e) {
      local.release();
      throw e;
    }
  }

  /** The lock file of {@code key} as a real path (the in-process semaphores are keyed by it). */
  private Path lockFile(String key) {
    CacheKeys.requireValid(key);
    Path dir = realLocks;
    if (dir == null) {
      try {
        Files.createDirectories(locks);
        dir = locks.toRealPath();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + locks + ": " + IoProblems.describe(e), e);
      }
      realLocks = dir;
    }
    return dir.resolve(key + ".lock");
  }

  /**
   * Takes the OS lock on {@code file}: waits if {@code blocking}, else returns null when another
   * process holds it. With {@code create} false and no lock file, nobody can hold the lock:
   * returns a lock of no file. The caller holds the file's in-process semaphore.
   */
  private @Nullable OsLock acquireOsLock(String key, Path file, boolean blocking, boolean create)
      throws InterruptedException {
    try {
      while (true) {
        Optional<Object> before = identity(file);
        if (before.isEmpty()) {
          if (!create) {
            return new OsLock(file, null);
          }
          try {
            Files.createFile(file);
          } catch (FileAlreadyExistsException e) {
            // created by another process: lock that one
          }
          continue;
        }
        FileChannel channel;
        try {
          channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
          continue; // deleted by gc since the stat: start over
        }
        FileLock lock;
        try {
          lock = blocking ? pollLock(channel, key) : channel.tryLock();
        } catch (ClosedByInterruptException e) {
          Thread.interrupted();
          throw new InterruptedException("interrupted while waiting for the lock of " + key);
        } catch (IOException | RuntimeException | InterruptedException e) {
          channel.close();
          throw e;
        }
        if (lock == null) {
          channel.close();
          return null;
        }
        // gc deletes a lock file only while holding it; if the path still names the file we
        // stat'ed before opening, we hold the lock every other locker will contend for.
        if (before.equals(identity(file))) {
          writeHolder(channel);
          return new OsLock(file, channel);
        }
        channel.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file + ": " + IoProblems.describe(e), e);
    }
  }

  /**
   * Writes the holder's PID into the lock file, for people looking at a lock. It is only
   * informative (the OS lock is the lock), so a full disk or a filesystem that refuses the
   * write must not fail the lock.
   */
  private static void writeHolder(FileChannel channel) {
    byte[] holder = ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(holder), 0);
    } catch (IOException e) {
      // ENOSPC, EINVAL on odd files: the lock is held all the same
    }
  }

  /**
   * Waits for the OS lock on {@code channel} by polling {@code tryLock} ({@code F_SETLK}) with
   * backoff, never with a blocking {@code lock()} ({@code F_SETLKW}). POSIX record locks belong
   * to the process, not the thread: when process P holds key A on one thread and waits for B on
   * another, while Q holds B and waits for A, the kernel sees the cycle P -> Q -> P and fails the
   * blocking call with EDEADLK ("Resource deadlock avoided"), although each holder will finish
   * and release on its own. A non-blocking attempt is never refused that way.
   */
  static FileLock pollLock(FileChannel channel, String key) throws IOException, InterruptedException {
    long sleepMs = 2;
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for the lock of " + key);
      }
      Thread.sleep(sleepMs);
      sleepMs = Math.min(MAX_POLL_MS, sleepMs * 2);
    }
  }

  /** The longest pause between two attempts on a lock another process holds. */
  static final long MAX_POLL_MS = 100;

  /**
   * The identity (device and inode) of {@code file} by {@code stat}, never by opening it: closing
   * any descriptor of a file releases this process's locks on it. Empty if absent; a constant
   * where the filesystem has no file keys (then {@link #gc} never deletes lock files).
   */
  private static Optional<Object> identity(Path file) throws IOException {
    try {
      Object fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      return Optional.of(fileKey == null ? NO_FILE_KEY : fileKey);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static final Object NO_FILE_KEY = new Object();

  /** An OS lock: an open channel (closing it releases the lock), or none when the file is absent. */
  private record OsLock(Path file, @Nullable FileChannel channel) {}

  private final class LocalKeyLock implements KeyLock {
    private final String key;
    private final Semaphore local;
    private final OsLock os;
    private final AtomicBoolean held = new AtomicBoolean(true);

    LocalKeyLock(String key, Semaphore local, OsLock os) {
      this.key = key;
      this.local = local;
      this.os = os;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public boolean isHeld() {
      return held.get();
    }

    LocalArtifactStore store() {
      return LocalArtifactStore.this;
    }

    /** Deletes the lock file, then releases: safe because lockers check the path after locking. */
    void closeAndDelete() {
      if (held.get() && os.channel() != null) {
        try {
          if (identity(os.file()).orElse(NO_FILE_KEY) == NO_FILE_KEY) {
            close(); // without file keys, lockers could not tell a recreated file apart
            return;
          }
          Files.deleteIfExists(os.file());
        } catch (IOException e) {
          // harmless: an unused lock file stays behind
        }
      }
      close();
    }

    @Override
    public void close() {
      if (!held.compareAndSet(true, false)) {
        return;
      }
      try {
        FileChannel channel = os.channel();
        if (channel != null) {
          channel.close(); // releases the OS lock
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot release lock " + os.file() + ": " + e.getMessage(), e);
      } finally {
        local.release();
      }
    }
  }

  private LocalKeyLock requireHeld(KeyLock lock) {
    if (!(lock instanceof LocalKeyLock local) || local.store() != this) {
      throw new IllegalStateException("lock of " + lock.key() + " was not taken from this store");
    }
    if (!local.isHeld()) {
      throw new IllegalStateException("lock of " + lock.key() + " is already released");
    }
    return local;
  }

  // ---------------------------------------------------------------- writing

  @Override
  public PendingArtifact begin(KeyLock lock) {
    LocalKeyLock held = requireHeld(lock);
    Path dir = tmp.resolve(lock.key() + "." + UUID.randomUUID());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + IoProblems.describe(e), e);
    }
    return new LocalPendingArtifact(held, dir);
  }

  private final class LocalPendingArtifact implements PendingArtifact {
    private final LocalKeyLock lock;
    private final Path dir;
    private boolean finished;

    LocalPendingArtifact(LocalKeyLock lock, Path dir) {
      this.lock = lock;
      this.dir = dir;
    }

    @Override
    public String key() {
      return lock.key();
    }

    @Override
    public Path dir() {
      return dir;
    }

    @Override
    public Manifest commit(ManifestDraft draft) {
      if (finished) {
        throw new IllegalStateException("artifact " + key() + " is already committed or closed");
      }
      requireHeld(lock);
      try {
        ImmutableSortedMap<String, FileEntry> files = hashAndSync(dir);
        Manifest manifest = Manifest.of(key(), draft, files);
        Path manifestFile = dir.resolve(MANIFEST);
        Files.writeString(manifestFile, ManifestJson.write(manifest), StandardCharsets.UTF_8);
        force(manifestFile, false);
        forceDirectories(dir);
        publish(dir, key());
        finished = true;
        try {
          deleteTree(work.resolve(key()));
        } catch (IOException | UncheckedIOException e) {
          // the artifact is committed; a leftover work dir is harmless and gc removes it
        }
        return manifest;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit artifact " + key() + " from " + dir + ": " + IoProblems.describe(e), e);
      }
    }

    @Override
    public void close() {
      if (finished) {
        return;
      }
      finished = true;
      try {
        deleteTree(dir);
      } catch (IOException | UncheckedIOException e) {
        // gc removes what is left: the key's lock is free once the caller releases it
      }
    }
  }

  /** Hashes every regular file below {@code dir} and forces it to disk. */
  private static ImmutableSortedMap<String, FileEntry> hashAndSync(Path dir) throws IOException {
    Map<String, FileEntry> files = new TreeMap<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String relative = relativePath(dir, file);
        if (!attrs.isRegularFile()) {
          throw new IllegalArgumentException("artifact holds " + relative + ", which is not a regular file"
              + " (symbolic links and special files cannot be cached): write a copy instead");
        }
        if (relative.equals(MANIFEST)) {
          throw new IllegalArgumentException("an artifact may not hold a top-level " + MANIFEST
              + ": the store writes it; name the file differently");
        }
        files.put(relative, ContentHash.ofFile(file));
        force(file, false);
        return FileVisitResult.CONTINUE;
      }
    });
    return ImmutableSortedMap.copyOf(files);
  }

  private static String relativePath(Path dir, Path file) {
    StringBuilder out = new StringBuilder();
    for (Path name : dir.relativize(file)) {
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(name);
    }
    return out.toString();
  }

  /** Moves the complete {@code dir} to {@code artifacts/<key>} in one rename, replacing an old artifact. */
  private void publish(Path dir, String key) throws IOException {
    Files.createDirectories(artifacts);
    Path target = artifacts.resolve(key);
    Path old = null;
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      // A rename cannot replace a non-empty directory: move the old artifact aside first.
      old = tmp.resolve(key + ".old-" + UUID.randomUUID());
      atomicMove(target, old);
    }
    atomicMove(dir, target);
    force(artifacts, true);
    if (old != null) {
      deleteTree(old);
    }
  }

  private static void atomicMove(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the filesystem cannot rename " + from + " to " + to
          + " atomically; keep the cache on one filesystem", e);
    }
  }

  private static void force(Path path, boolean directory) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!directory) {
        throw e;
      }
      // some filesystems cannot open or sync a directory; the rename is still atomic
    }
  }

  private static void forceDirectories(Path dir) throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (var stream = Files.walk(dir)) {
      stream.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(dirs::add);
    }
    for (int i = dirs.size() - 1; i >= 0; i--) {
      force(dirs.get(i), true);
    }
  }

  // ---------------------------------------------------------------- verify, quarantine

  @Override
  public VerifyReport verify() {
    int checked = 0;
    ImmutableList.Builder<VerifyReport.Corrupt> corrupt = ImmutableList.builder();
    ImmutableList.Builder<String> busy = ImmutableList.builder();
    for (String key : keysIn(artifacts, "")) {
      Optional<KeyLock> maybeLock = tryLock(key);
      if (maybeLock.isEmpty()) {
        busy.add(key);
        continue;
      }
      try (KeyLock lock = maybeLock.get()) {
        if (!Files.isDirectory(artifacts.resolve(key), LinkOption.NOFOLLOW_LINKS)
            && !Files.isSymbolicLink(artifacts.resolve(key))) {
          continue; // removed meanwhile
        }
        Optional<VerifyReport.Corrupt> found = verify(lock);
        if (found.isPresent()) {
          corrupt.add(found.get());
        } else {
          checked++;
        }
      }
    }
    return new VerifyReport(checked, corrupt.build(), busy.build());
  }

  @Override
  public Optional<VerifyReport.Corrupt> verify(KeyLock lock) {
    requireHeld(lock);
    String key = lock.key();
    Path dir = artifacts.resolve(key);
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      List<String> problems = problems(key, dir);
      if (problems.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new VerifyReport.Corrupt(key, ImmutableList.copyOf(problems), moveToQuarantine(key)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot verify " + key + ": " + IoProblems.describe(e), e);
    }
  }

  @Override
  public Optional<Path> quarantine(KeyLock lock) {
    requireHeld(lock);
    try {
      if (!Files.exists(artifacts.resolve(lock.key()), LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      return Optional.of(moveToQuarantine(lock.key()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot quarantine " + lock.key() + ": " + IoProblems.describe(e), e);
    }
  }

  private Path moveToQuarantine(String key) throws IOException {
    Files.createDirectories(quarantine);
    Path moved = quarantine.resolve(key + "." + System.currentTimeMillis() + "-"
        + UUID.randomUUID().toString().substring(0, 8));
    atomicMove(artifacts.resolve(key), moved);
    return moved;
  }

  /** What is wrong with the artifact in {@code dir}; empty if it is intact. */
  private static List<String> problems(String key, Path dir) throws IOException {
    List<String> problems = new ArrayList<>();
    if (Files.isSymbolicLink(dir)) {
      return List.of("the artifact directory is a symbolic link");
    }
    Manifest manifest;
    try {
      if (Files.size(dir.resolve(MANIFEST)) > MAX_MANIFEST_BYTES) {
        return List.of(MANIFEST + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
      }
      manifest = ManifestJson.read(Files.readString(dir.resolve(MANIFEST), StandardCharsets.UTF_8),
          dir.resolve(MANIFEST).toString());
    } catch (NoSuchFileException e) {
      return List.of(MANIFEST + " is missing");
    } catch (ManifestFormatException | IOException e) {
      return List.of(MANIFEST + " is unreadable: " + e.getMessage());
    }
    if (!manifest.key().equals(key)) {
      problems.add(MANIFEST + " names key " + manifest.key());
    }
    Set<String> seen = new TreeSet<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        String relative = relativePath(dir, file);
        if (relative.equals(MANIFEST)) {
          return FileVisitResult.CONTINUE;
        }
        seen.add(relative);
        FileEntry expected = manifest.files().get(relative);
        if (expected == null) {
          problems.add(relative + ": not in the manifest");
        } else if (!attrs.isRegularFile()) {
          problems.add(relative + ": not a regular file");
        } else if (!ContentHash.ofFile(file).equals(expected)) {
          problems.add(relative + ": content differs from the manifest (sha256 " + expected.sha256()
              + ", " + expected.size() + " bytes)");
        }
        return FileVisitResult.CONTINUE;
      }
    });
    for (String expected : manifest.files().keySet()) {
      if (!seen.contains(expected)) {
        problems.add(expected + ": missing");
      }
    }
    return problems;
  }

  // ---------------------------------------------------------------- gc

  @Override
  public GcReport gc(Set<String> liveKeys, boolean dryRun) {
    ImmutableList.Builder<GcReport.Entry> entries = ImmutableList.builder();
    ImmutableList.Builder<String> busy = ImmutableList.builder();
    try {
      Map<String, List<Path>> tmpByKey = temporariesByKey();
      Set<String> keys = new TreeSet<>(tmpByKey.keySet());
      Set<String> lockKeys = keysIn(locks, ".lock");
      for (Set<String> candidates : List.of(keysIn(artifacts, ""), keysIn(work, ""), lockKeys)) {
        for (String key : candidates) {
          if (!liveKeys.contains(key)) {
            keys.add(key);
          }
        }
      }
      for (String key : keys) {
        // A dry run must not create lock files, so it only probes existing ones.
        Optional<KeyLock> maybeLock = tryLock(key, !dryRun);
        if (maybeLock.isEmpty()) {
          busy.add(key);
          continue;
        }
        LocalKeyLock lock = (LocalKeyLock) maybeLock.get();
        try {
          boolean live = liveKeys.contains(key);
          List<GcReport.Entry> found = new ArrayList<>();
          for (Path dir : tmpByKey.getOrDefault(key, List.of())) {
            long bytes = sizeOf(dir);
            if (dryRun || !abandoned(key, dir)) {
              found.add(new GcReport.Entry(GcReport.Kind.TMP, dir.getFileName().toString(), dir, bytes));
            }
          }
          if (!live && Files.exists(artifacts.resolve(key), LinkOption.NOFOLLOW_LINKS)) {
            long bytes = sizeOf(artifacts.resolve(key));
            if (!(dryRun ? leasedKeys().contains(key) : removeUnlessLeased(key))) {
              found.add(new GcReport.Entry(GcReport.Kind.ARTIFACT, key, artifacts.resolve(key), bytes));
            } else {
              busy.add(key);
              entries.addAll(found);
              continue; // a live run reads it: keep its work dir and lock file too
            }
          }
          if (!live && Files.exists(work.resolve(key), LinkOption.NOFOLLOW_LINKS)) {
            found.add(new GcReport.Entry(GcReport.Kind.WORK, key, work.resolve(key), sizeOf(work.resolve(key))));
            if (!dryRun) {
              deleteTree(work.resolve(key));
            }
          }
          if (!live && lockKeys.contains(key)) {
            found.add(new GcReport.Entry(GcReport.Kind.LOCK, key, locks.resolve(key + ".lock"), 0));
          }
          entries.addAll(found);
          if (!live && !dryRun) {
            lock.closeAndDelete();
          }
        } finally {
          lock.close();
        }
      }
      for (Path entry : list(quarantine)) {
        entries.add(new GcReport.Entry(GcReport.Kind.QUARANTINE, entry.getFileName().toString(), entry, sizeOf(entry)));
        if (!dryRun) {
          deleteTree(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("gc of " + root + " failed: " + IoProblems.describe(e), e);
    }
    if (!dryRun) {
      verified.reset(); // it may name removed artifacts; the next run rebuilds it
    }
    return new GcReport(dryRun, entries.build(), busy.build());
  }

  /**
   * Removes the artifact of {@code key} (whose lock the caller holds) unless a read lease
   * names it. The artifact is first renamed out of {@code artifacts/}, then the leases are
   * read: a run that adds its lease before looking up (see {@link ReadLease}) is either seen
   * here, or looks up after the rename and misses. A leased artifact is renamed back.
   *
   * @return true if it was kept because it is leased
   */
  private boolean removeUnlessLeased(String key) throws IOException {
    Path target = artifacts.resolve(key);
    Path hidden = tmp.resolve(key + ".gc-" + UUID.randomUUID());
    Files.createDirectories(tmp);
    atomicMove(target, hidden);
    if (leasedKeys().contains(key)) {
      atomicMove(hidden, target);
      return true;
    }
    // Out of reach of any restore: a half-deleted artifact must never be put back.
    Path doomed = tmp.resolve(key + ".doomed-" + UUID.randomUUID());
    atomicMove(hidden, doomed);
    deleteTree(doomed);
    return false;
  }

  /** The temporary directories by key ({@code <key>.<anything>}). */
  private Map<String, List<Path>> temporariesByKey() throws IOException {
    Map<String, List<Path>> tmpByKey = new TreeMap<>();
    for (Path entry : list(tmp)) {
      String name = entry.getFileName().toString();
      int dot = name.indexOf('.');
      if (dot > 0 && CacheKeys.isValid(name.substring(0, dot))) {
        tmpByKey.computeIfAbsent(name.substring(0, dot), k -> new ArrayList<>()).add(entry);
      }
    }
    return tmpByKey;
  }

  /**
   * Handles a temporary directory of {@code key} whose owner is gone (the caller holds the
   * key's lock): an intact artifact that a killed {@code --force} commit had moved aside
   * ({@code .old-}) or a killed gc had hidden ({@code .gc-}) goes back into place if the key
   * has none; anything else is deleted.
   *
   * @return true if it was restored, false if deleted
   */
  private boolean abandoned(String key, Path dir) throws IOException {
    String name = dir.getFileName().toString();
    Path target = artifacts.resolve(key);
    boolean movedAside = name.startsWith(key + ".old-") || name.startsWith(key + ".gc-");
    if (movedAside && !Files.exists(target, LinkOption.NOFOLLOW_LINKS) && problems(key, dir).isEmpty()) {
      Files.createDirectories(artifacts);
      atomicMove(dir, target);
      return true;
    }
    deleteTree(dir);
    return false;
  }

  @Override
  public int recoverAbandoned() {
    int handled = 0;
    try {
      for (Map.Entry<String, List<Path>> entry : temporariesByKey().entrySet()) {
        Optional<KeyLock> maybeLock = tryLock(entry.getKey(), false);
        if (maybeLock.isEmpty()) {
          continue; // its owner is alive
        }
        try (KeyLock lock = maybeLock.get()) {
          for (Path dir : entry.getValue()) {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
              abandoned(entry.getKey(), dir);
              handled++;
            }
          }
        }
      }
      handled += readLeases(new TreeSet<>());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + tmp + ": " + IoProblems.describe(e), e);
    }
    return handled;
  }

  // ---------------------------------------------------------------- leases

  /**
   * {@inheritDoc}
   *
   * <p>The lease file is created under a name no reader looks at ({@value #NEW_LEASE}), locked,
   * and only then renamed to {@code .lease} (the lock stays with the file). A {@code .lease}
   * file whose lock is free therefore always belongs to a dead process: had the file been
   * created under its final name, gc or another run's start-up could open it in the moment
   * before its owner locked it, take it for dead and delete it (the owner's lease would then
   * hold its keys in a file nobody reads), or hold the lock itself just then and fail the
   * owner's run.
   */
  @Override
  public ReadLease lease() {
    try {
      Files.createDirectories(leases);
      String name = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
      Path file = leases.toRealPath().resolve(name + ".lease");
      Path fresh = file.resolveSibling(name + NEW_LEASE);
      Set<String> keys = ConcurrentHashMap.newKeySet();
      ProcessLocks.LEASES.put(file, keys); // before the file exists: gc here never opens it
      FileChannel channel = null;
      try {
        channel = FileChannel.open(fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        if (channel.tryLock() == null) {
          throw new IOException(fresh + ": a new lease file is locked by another process");
        }
        atomicMove(fresh, file);
        return new LocalReadLease(file, channel, keys);
      } catch (IOException | RuntimeException e) {
        ProcessLocks.LEASES.remove(file);
        if (channel != null) {
          channel.close();
        }
        Files.deleteIfExists(fresh);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a read lease in " + leases + ": " + IoProblems.describe(e), e);
    }
  }

  /** The suffix of a lease file its owner has not locked yet; never opened by anyone else. */
  static final String NEW_LEASE = ".lease-new";

  /** A {@value #NEW_LEASE} file this old was left by a run killed between creating and renaming it. */
  private static final Duration NEW_LEASE_LEFTOVER = Duration.ofMinutes(10);

  private static final class LocalReadLease implements ReadLease {
    private final Path file;
    private final FileChannel channel;
    private final Set<String> keys;
    private boolean closed;

    LocalReadLease(Path file, FileChannel channel, Set<String> keys) {
      this.file = file;
      this.channel = channel;
      this.keys = keys;
    }

    @Override
    public synchronized void add(String key) {
      CacheKeys.requireValid(key);
      if (closed) {
        throw new IllegalStateException("read lease " + file + " is closed");
      }
      if (!keys.add(key)) {
        return;
      }
      try {
        ByteBuffer line = ByteBuffer.wrap((key + "\n").getBytes(StandardCharsets.US_ASCII));
        while (line.hasRemaining()) {
          channel.write(line, channel.size());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write read lease " + file + ": " + IoProblems.describe(e), e);
      }
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        Files.deleteIfExists(file);
        channel.close();
      } catch (IOException e) {
        // a leftover lease file is unlocked now: the next gc or run removes it
      } finally {
        ProcessLocks.LEASES.remove(file);
      }
    }
  }

  /** Every key that a live run (in this JVM or another process) holds a read lease on. */
  private Set<String> leasedKeys() throws IOException {
    Set<String> keys = new TreeSet<>();
    readLeases(keys);
    return keys;
  }

  /**
   * Adds the keys of every live lease to {@code into} and deletes the lease files of dead
   * processes (their OS lock is free).
   *
   * @return how many dead leases it deleted
   */
  private int readLeases(Set<String> into) throws IOException {
    ProcessLocks.LEASES.values().forEach(into::addAll);
    if (!Files.isDirectory(leases)) {
      return 0;
    }
    int dead = 0;
    for (Path entry : list(leases.toRealPath())) {
      if (entry.getFileName().toString().endsWith(NEW_LEASE)) {
        removeIfLeftOver(entry); // never opened: its owner may be about to lock it
        continue;
      }
      if (!entry.getFileName().toString().endsWith(".lease") || ProcessLocks.LEASES.containsKey(entry)) {
        continue;
      }
      Semaphore local = ProcessLocks.of(entry); // one opener per JVM: see ProcessLocks
      local.acquireUninterruptibly();
      try (FileChannel channel = FileChannel.open(entry, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock probe = channel.tryLock();
        if (probe != null) {
          // its owner died (or closed it just now, after deleting it): the lease died with it
          if (Files.deleteIfExists(entry)) {
            dead++;
          }
          continue;
        }
        ByteBuffer content = ByteBuffer.allocate((int) Math.min(channel.size(), 64L << 20));
        while (content.hasRemaining() && channel.read(content, content.position()) > 0) {
          // read on
        }
        String text = new String(content.array(), 0, content.position(), StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n'); // a line still being written is not yet a lease
        for (String line : text.substring(0, end + 1).split("\n")) {
          if (CacheKeys.isValid(line)) {
            into.add(line);
          }
        }
      } catch (NoSuchFileException e) {
        // closed meanwhile
      } finally {
        local.release();
      }
    }
    return dead;
  }

  private static void removeIfLeftOver(Path newLease) throws IOException {
    try {
      Instant modified = Files.getLastModifiedTime(newLease).toInstant();
      if (modified.isBefore(Instant.now().minus(NEW_LEASE_LEFTOVER))) {
        Files.deleteIfExists(newLease);
      }
    } catch (NoSuchFileException e) {
      // renamed or removed meanwhile
    }
  }

  private static void addIfExists(List<GcReport.Entry> found, GcReport.Kind kind, String key, Path path)
      throws IOException {
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      found.add(new GcReport.Entry(kind, key, path, sizeOf(path)));
    }
  }

  private static Set<String> keysIn(Path dir, String suffix) {
    Set<String> keys = new TreeSet<>();
    try {
      for (Path entry : list(dir)) {
        String name = entry.getFileName().toString();
        if (name.endsWith(suffix)) {
          String key = name.substring(0, name.length() - suffix.length());
          if (CacheKeys.isValid(key)) {
            keys.add(key);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return keys;
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(out::add);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    out.sort(null);
    return out;
  }

  private static long sizeOf(Path path) throws IOException {
    long[] total = {0};
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        total[0] += attrs.size();
        return FileVisitResult.CONTINUE;
      }
    });
    return total[0];
  }

  /** Deletes {@code path} and everything below it, without following symbolic links; absent is fine. */
  static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
