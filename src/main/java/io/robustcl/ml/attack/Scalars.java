package io.robustcl.ml.attack;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.DeviceScalars;
import java.util.HashMap;
import java.util.Map;

/**
 * One attack call's view of {@link DeviceScalars}: each constant is made (and counted) there on first
 * use, in the inputs' type and on their device, and reused at every later step, so an iterative attack
 * makes a handful of device scalars per call rather than one per operation and step. Confined to one
 * thread.
 */
final class Scalars {

    private final DeviceScalars through;
    private final NDManager manager;
    private final DataType type;
    private final Device device;
    private final Map<Float, NDArray> cache = new HashMap<>();

    /**
     * @param through where the constants are made and counted (the attack's {@code scalars})
     * @param manager the manager that outlives the attack's steps (the attack's own scope)
     * @param like the attack's input, whose type and device the constants take
     */
    Scalars(DeviceScalars through, NDManager manager, NDArray like) {
        this.through = through;
        this.manager = manager;
        this.type = like.getDataType();
        this.device = like.getDevice();
    }

    /** @return the 0-d array holding {@code value}, created on first use */
    NDArray of(float value) {
        return cache.computeIfAbsent(value, v -> through.create(manager, type, device, v));
    }
}
