package io.robustcl.pipeline.launch;

import com.google.common.base.Joiner;
import com.google.common.base.Splitter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A stage's device as a child process sees it. The child is given only its own GPUs through
 * {@code CUDA_VISIBLE_DEVICES}, so inside it they are numbered from 0: the scheduler's
 * {@code gpu:3} becomes {@code CUDA_VISIBLE_DEVICES=3} and device {@code gpu:0}.
 *
 * @param childDevice the device string handed to the child stage
 * @param visibleDevices the value of {@code CUDA_VISIBLE_DEVICES}, or null for a CPU stage
 */
record DeviceAssignment(String childDevice, @Nullable String visibleDevices) {

  static DeviceAssignment of(String device) {
    if (!device.startsWith("gpu:")) {
      return new DeviceAssignment(device, null);
    }
    List<String> indices = Splitter.on(',').trimResults().splitToList(device.substring("gpu:".length()));
    List<String> renumbered = new ArrayList<>();
    for (int i = 0; i < indices.size(); i++) {
      renumbered.add(Integer.toString(i));
    }
    return new DeviceAssignment("gpu:" + Joiner.on(',').join(renumbered), Joiner.on(',').join(indices));
  }
}
