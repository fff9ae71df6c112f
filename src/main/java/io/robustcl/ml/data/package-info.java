@NullMarked
package io.robustcl.ml.data;

import org.jspecify.annotations.NullMarked;
