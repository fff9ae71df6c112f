@NullMarked
package io.robustcl.ml.train;

import org.jspecify.annotations.NullMarked;
