package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The named arrays an iterative attack carries from step to step (current point, best point,
 * step sizes, ...), kept in one home manager while every temporary of a step dies with the step.
 *
 * <p>{@link #step} attaches the slots to a fresh sub-manager for the body (so every result of an
 * operation on them lands there), then moves the slots' new values home and closes the values
 * they replaced. This is the scope discipline of {@link PgdAttack}, for many arrays at once.
 *
 * @param <K> the slot names
 */
final class StepState<K extends Enum<K>> {

    private final NDManager home;
    private final EnumMap<K, NDArray> slots;
    private final List<NDArray> replaced = new ArrayList<>();
    private boolean inStep;

    StepState(NDManager home, Class<K> names) {
        this.home = home;
        this.slots = new EnumMap<>(names);
    }

    NDArray get(K name) {
        NDArray value = slots.get(name);
        if (value == null) {
            throw new IllegalStateException("attack state: slot " + name + " was never set");
        }
        return value;
    }

    /** Sets a slot: inside {@link #step} the value may be a temporary of the step; outside it moves home. */
    void set(K name, NDArray value) {
        NDArray old = slots.put(name, value);
        if (old != null && old != value) {
            replaced.add(old);
        }
        if (value.getManager() != home && !inStep) {
            value.attach(home);
        }
    }

    /** Runs one step: the slots' operations land in a scope that is closed after {@code body}. */
    void step(Consumer<NDManager> body) {
        try (NDManager scope = home.newSubManager()) {
            for (NDArray value : slots.values()) {
                value.tempAttach(scope);
            }
            inStep = true;
            try {
                body.accept(scope);
            } finally {
                inStep = false;
            }
            for (NDArray value : slots.values()) {
                value.attach(home);
            }
        }
        Set<NDArray> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(slots.values());
        for (NDArray old : replaced) {
            if (!live.contains(old)) {
                old.close();
            }
        }
        replaced.clear();
    }

    /** Closes every slot's array. */
    void closeAll() {
        for (Map.Entry<K, NDArray> entry : slots.entrySet()) {
            entry.getValue().close();
        }
        slots.clear();
    }
}
