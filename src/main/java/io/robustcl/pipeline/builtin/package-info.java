/**
 * Stage types that ship with the engine and need no ML: {@link
 * io.robustcl.pipeline.builtin.WriteParamsStage} for smoke-testing pipeline files and for
 * the engine benchmark.
 */
@NullMarked
package io.robustcl.pipeline.builtin;

import org.jspecify.annotations.NullMarked;
