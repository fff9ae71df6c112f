@NullMarked
package io.robustcl.ml.model;

import org.jspecify.annotations.NullMarked;
