package io.robustcl.ml.device;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * Random arrays drawn on the device by PyTorch, reproducible per caller.
 *
 * <p>PyTorch has one generator per process (per device), so two stages drawing from it at the
 * same time, or one stage reseeding it per epoch while another draws, would interleave their
 * streams and make results depend on timing. Each draw here reseeds the engine from the
 * caller's own Java generator and draws while holding a process-wide lock, so the values
 * depend only on that generator's state. The lock guards the engine's global generator, the
 * one piece of global state this class stands for; the draw under it is one short native call.
 */
public final class EngineDraws {

  /** Guards PyTorch's process-global generator between reseeding and drawing. */
  private static final Object GENERATOR = new Object();

  private EngineDraws() {}

  /** Reseeds PyTorch's global generators (CPU and every GPU) while no draw is under way. */
  public static void reseed(ai.djl.engine.Engine engine, int seed) {
    synchronized (GENERATOR) {
      engine.setRandomSeed(seed);
    }
  }

  /** The lock, for a test to hold. */
  static Object lock() {
    return GENERATOR;
  }

  /** U(low, high) per element, of {@code shape}, on {@code device}, attached to {@code manager}. */
  public static NDArray uniform(
      NDManager manager, RandomGenerator random, float low, float high, Shape shape, DataType type, Device device) {
    int seed = random.nextInt() & Integer.MAX_VALUE;
    synchronized (GENERATOR) {
      manager.getEngine().setRandomSeed(seed);
      return manager.randomUniform(low, high, shape, type, device);
    }
  }

  /** N(mean, std^2) per element, of {@code shape}, on {@code device}, attached to {@code manager}. */
  public static NDArray normal(
      NDManager manager, RandomGenerator random, float mean, float std, Shape shape, DataType type, Device device) {
    int seed = random.nextInt() & Integer.MAX_VALUE;
    synchronized (GENERATOR) {
      manager.getEngine().setRandomSeed(seed);
      return manager.randomNormal(mean, std, shape, type, device);
    }
  }
}
