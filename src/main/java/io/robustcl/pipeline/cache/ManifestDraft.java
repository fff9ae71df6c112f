package io.robustcl.pipeline.cache;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.Params;
import java.time.Instant;

/**
 * What the caller knows about an artifact when it commits it; the store adds the key, the
 * file hashes and the content hash to make the {@link Manifest}.
 *
 * @param stageName the producing stage's name in the pipeline file
 * @param stageType the producing stage type, e.g. {@code "pretrain"}
 * @param stageVersion the stage type's {@code version()}
 * @param outputKind the stage type's {@code outputKind()}
 * @param params the resolved params
 * @param inputs per input port, the feeding artifacts in pipeline-file order
 * @param metrics named scalar metrics (may be non-finite)
 * @param startTime when the computation started
 * @param endTime when it ended
 * @param device {@code "cpu"}, {@code "gpu:<i>"}, or the GPUs a multi-GPU stage held, comma-separated ({@code "gpu:0,1"})
 * @param versions software versions the caller wants recorded, e.g. {@code java},
 *     {@code robustcl}, {@code djl}, {@code pytorch}; the store attaches no meaning to them
 * @param execution where it ran: {@code launcher}, {@code host} and, per launcher, e.g.
 *     {@code slurm_job_id} and {@code node}
 */
public record ManifestDraft(
    String stageName,
    String stageType,
    int stageVersion,
    String outputKind,
    Params params,
    ImmutableSortedMap<String, ImmutableList<InputRef>> inputs,
    ImmutableSortedMap<String, Double> metrics,
    Instant startTime,
    Instant endTime,
    String device,
    ImmutableSortedMap<String, String> versions,
    ImmutableSortedMap<String, String> execution) {}
