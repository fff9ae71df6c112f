@NullMarked
package io.robustcl.ml.device;

import org.jspecify.annotations.NullMarked;
