@NullMarked
package io.robustcl.pipeline.exec;

import org.jspecify.annotations.NullMarked;
