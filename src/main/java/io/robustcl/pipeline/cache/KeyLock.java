package io.robustcl.pipeline.cache;

/**
 * An exclusive lock on one key of an {@link ArtifactStore}, held across threads and processes.
 * It may be released from any thread; {@link #close()} is idempotent.
 */
public interface KeyLock extends AutoCloseable {

  /** The locked key. */
  String key();

  /** True until {@link #close()}. */
  boolean isHeld();

  /** Releases the lock. */
  @Override
  void close();
}
