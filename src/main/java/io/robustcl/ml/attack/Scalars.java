package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.robustcl.ml.device.DeviceScalars;
import java.util.HashMap;
import java.util.Map;

/**
 * Scalar NDArrays made once per attack call and reused at every step: an operation with a Java
 * number ({@code x.mul(0.75f)}) makes a new native scalar each time, which on the hot path of an
 * iterative attack is an allocation per operation. Confined to one thread.
 */
final class Scalars {

    private final NDManager manager;
    private final DataType type;
    private final Map<Float, NDArray> cache = new HashMap<>();

    /**
     * @param manager the manager that outlives the attack's steps (the attack's own scope)
     * @param type the data type of the inputs
     */
    Scalars(NDManager manager, DataType type) {
        this.manager = manager;
        this.type = type;
    }

    /** @return the 0-d array holding {@code value}, created on first use */
    NDArray of(float value) {
        return cache.computeIfAbsent(value, v -> DeviceScalars.uncounted().create(manager, v).toType(type, false));
    }
}
