@NullMarked
package io.robustcl.stages;

import org.jspecify.annotations.NullMarked;
