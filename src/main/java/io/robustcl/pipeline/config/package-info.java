@NullMarked
package io.robustcl.pipeline.config;

import org.jspecify.annotations.NullMarked;
