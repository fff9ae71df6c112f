/**
 * The public stage SPI of the robustcl engine: {@link io.robustcl.pipeline.Stage}, its
 * {@link io.robustcl.pipeline.StageContext}, declared {@link io.robustcl.pipeline.ParamSpec}s
 * and {@link io.robustcl.pipeline.InputPort}s, resolved {@link io.robustcl.pipeline.Params}
 * and the {@link io.robustcl.pipeline.Artifact}s stages consume.
 *
 * <p>Nothing in {@code io.robustcl.pipeline.*} knows about machine learning.
 */
@NullMarked
package io.robustcl.pipeline;

import org.jspecify.annotations.NullMarked;
