/**
 * Device choice, seeding and native-memory ownership: {@link io.robustcl.ml.device.ComputeScope}.
 */
@NullMarked
package io.robustcl.ml.device;

import org.jspecify.annotations.NullMarked;
