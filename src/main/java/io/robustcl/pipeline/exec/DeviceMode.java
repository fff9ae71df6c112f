package io.robustcl.pipeline.exec;

/** The {@code --device} choice for stages that declare a GPU resource. */
public enum DeviceMode {
  /** a GPU when one is free or detected, else the CPU */
  AUTO,
  /** always the CPU, GPUs or not */
  CPU,
  /** a GPU; it is an error when none is available */
  GPU
}
