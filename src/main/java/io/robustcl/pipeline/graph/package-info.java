@NullMarked
package io.robustcl.pipeline.graph;

import org.jspecify.annotations.NullMarked;
