@NullMarked
package io.robustcl.ml.loss;

import org.jspecify.annotations.NullMarked;
