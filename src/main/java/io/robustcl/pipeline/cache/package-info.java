@NullMarked
package io.robustcl.pipeline.cache;

import org.jspecify.annotations.NullMarked;
