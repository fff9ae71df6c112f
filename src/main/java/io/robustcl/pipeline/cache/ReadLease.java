package io.robustcl.pipeline.cache;

/**
 * A run's read lease on the artifacts it uses: {@link ArtifactStore#gc} removes none of the
 * leased keys while the lease is open, in this process or any other. A lease dies with its
 * process, like a key lock. Thread-safe; {@link #close()} is idempotent.
 *
 * <p>Protocol: {@link #add} a key <em>before</em> looking it up. {@code gc} first renames a
 * doomed artifact out of {@code artifacts/}, then reads the leases, and puts the artifact back
 * if a lease names it. So either gc sees the lease, or the lookup comes after the rename and
 * misses (and the run rebuilds or waits): a lookup can never succeed on an artifact gc then
 * deletes.
 */
public interface ReadLease extends AutoCloseable {

  /** Adds {@code key} to the lease (no-op if it holds it already). */
  void add(String key);

  /** Releases the lease. */
  @Override
  void close();
}
