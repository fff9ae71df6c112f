package io.robustcl.pipeline.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Semaphore;

/**
 * An exclusive hold on a lock file, against other threads of this JVM and other processes:
 * the file's in-process semaphore ({@link ProcessLocks}: OS locks belong to the whole JVM), then
 * its OS lock, polled like a key lock (a blocking {@code fcntl} wait can fail with EDEADLK, see
 * {@link LocalArtifactStore}). For short critical sections outside the cache, such as
 * publishing a target's results. The lock file stays; it is empty.
 */
public final class ExclusiveFile implements AutoCloseable {

  private final Semaphore local;
  private final FileChannel channel;

  private ExclusiveFile(Semaphore local, FileChannel channel) {
    this.local = local;
    this.channel = channel;
  }

  /**
   * Waits for and takes the lock on {@code file}, creating it; its directory must exist.
   *
   * @throws InterruptedException if interrupted while another holder has it
   */
  public static ExclusiveFile lock(Path file) throws IOException, InterruptedException {
    Path real = file.getParent().toRealPath().resolve(file.getFileName());
    Semaphore local = ProcessLocks.of(real);
    local.acquire();
    try {
      FileChannel channel = FileChannel.open(real, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      try {
        LocalArtifactStore.pollLock(channel, real.getFileName().toString()); // released when the channel closes
        return new ExclusiveFile(local, channel);
      } catch (IOException | InterruptedException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      local.release();
      throw e;
    }
  }

  /** Releases the lock. */
  @Override
  public void close() throws IOException {
    try {
      channel.close(); // releases the OS lock
    } finally {
      local.release();
    }
  }
}
