/**
 * Where a ready stage computes, besides the scheduler's own JVM: a child JVM per stage
 * ({@code pipeline exec-stage}, isolating native crashes and memory) and a Slurm batch job
 * against a cache on a shared filesystem. Both hand the child a {@link StageJob} file and read
 * back its {@link JobProtocol} lines and {@link JobResult}; the scheduler, keys and store stay
 * the same, and the parent commits the artifact as it does for an in-process stage.
 */
@NullMarked
package io.robustcl.pipeline.launch;

import org.jspecify.annotations.NullMarked;
