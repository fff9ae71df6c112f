package io.robustcl.pipeline.exec;

/**
 * How many GPUs this machine offers to stages that declare a GPU resource. The engine's
 * default ({@link SystemGpuCount}) reads the OS without loading any ML library; a module
 * may bind another.
 */
@FunctionalInterface
public interface GpuCount {

  int detect();
}
