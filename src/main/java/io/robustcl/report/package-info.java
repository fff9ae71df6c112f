/**
 * What people read: a paper table rendered from artifacts' metrics (Markdown, CSV, TeX,
 * JSON), the papers' claims checked over its cells, the HTML report and {@code diff}. Reads
 * artifacts and manifests; never runs a stage. Knows nothing of ML.
 */
@NullMarked
package io.robustcl.report;

import org.jspecify.annotations.NullMarked;
