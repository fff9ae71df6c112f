package io.robustcl.testing;

import ai.djl.ndarray.NDManager;
import io.robustcl.ml.device.ComputeScope;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh CPU {@link ComputeScope} (seed 0) for each test, closed after it, so that every array a
 * test creates is freed and the test thread's gradient recording is off. Use as
 * {@code @RegisterExtension final CpuScope cpu = new CpuScope();}; it opens before the class's
 * {@code @BeforeEach} methods run.
 */
public final class CpuScope implements BeforeEachCallback, AfterEachCallback {

  private ComputeScope scope;

  @Override
  public void beforeEach(ExtensionContext context) {
    scope = ComputeScope.open("cpu", 0);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    scope.close();
  }

  /** The open scope's root manager. */
  public NDManager manager() {
    return scope.manager();
  }
}
