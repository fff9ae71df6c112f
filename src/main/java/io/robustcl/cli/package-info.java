@NullMarked
package io.robustcl.cli;

import org.jspecify.annotations.NullMarked;
