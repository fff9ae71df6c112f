@NullMarked
package io.robustcl.ml.attack;

import org.jspecify.annotations.NullMarked;
