package io.robustcl.pipeline.exec;

import java.util.Map;

/**
 * Contributes version strings to every manifest the engine writes (e.g. the ML side adds
 * {@code djl} and {@code pytorch}). Bound with a Guice {@code Multibinder<RuntimeVersions>};
 * the engine contributes none beyond {@code java} and {@code robustcl}. Called only when a
 * stage has computed, never on a fully cached run, so an implementation may load what it
 * reports on.
 */
@FunctionalInterface
public interface RuntimeVersions {

  /** Name to version, e.g. {@code {"djl": "0.25.0"}}. */
  Map<String, String> versions();
}
