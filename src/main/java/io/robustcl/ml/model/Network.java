package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.robustcl.ml.device.DeviceScalars;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * An encoder f (ResNet), an optional projector g and an optional linear head l, in the notation of
 * METHODS.md: {@link #features} is f(x), {@link #projection} g(f(x)), {@link #logits} l(f(x)).
 *
 * <p>Inputs are float32 NCHW pixels in [0,1] on the parameters' device; any normalisation is inside f.
 * {@code training} selects batch statistics (and running-statistics updates) in every batch norm; attacks
 * pass {@code false}. Outputs and temporaries attach to the input's manager, so callers scope each step
 * in a sub-manager (see the package documentation).
 *
 * <p>Parameters are created on the manager given to {@link #create} and live until that manager closes.
 * Parameter names are stable: {@code encoder_...}, {@code projector_...}, {@code head_...}.
 */
public final class Network {

  /** Shape used to infer parameter shapes; parameters do not depend on the image size. */
  private static final Shape INIT_SHAPE = new Shape(1, ResNetSpec.CHANNELS, 32, 32);

  private static final PairList<String, Object> ADVERSARIAL_BN =
      new PairList<>(List.of(SwitchableBatchNorm.ADVERSARIAL_FLAG), List.of(Boolean.TRUE));

  private final NetworkSpec spec;
  private final ResNet encoder;
  private final @Nullable Projector projector;
  private final @Nullable LinearHead head;

  private Network(NetworkSpec spec, ResNet encoder, @Nullable Projector projector, @Nullable LinearHead head) {
    this.spec = spec;
    this.encoder = encoder;
    this.projector = projector;
    this.head = head;
  }

  /**
   * Builds the network of {@code spec} with parameters on {@code manager}'s device, initialised as
   * PyTorch initialises the papers' models (see {@link TorchDefaultInitialization}) from {@code rng}:
   * the same generator state gives bit-identical parameters.
   */
  public static Network create(NetworkSpec spec, NDManager manager, RandomGenerator rng) {
    Network net = build(spec, manager);
    for (Block b : net.blocks()) {
      TorchDefaultInitialization.apply(b, rng);
    }
    return net;
  }

  /** Builds and allocates the parameters, weights as zeros: nothing is drawn, from a Java generator or the engine's. */
  static Network build(NetworkSpec spec, NDManager manager) {
    ResNet f = new ResNet(spec.encoder());
    TorchDefaultInitialization.allocate(f, manager, INIT_SHAPE);
    Shape featureShape = new Shape(1, spec.featureDim());
    Projector g = null;
    if (spec.hasProjector()) {
      g = new Projector(spec.projectorDims());
      TorchDefaultInitialization.allocate(g, manager, featureShape);
    }
    LinearHead l = null;
    if (spec.hasHead()) {
      l = new LinearHead(spec.classes());
      TorchDefaultInitialization.allocate(l, manager, featureShape);
    }
    return new Network(spec, f, g, l);
  }

  /** Loads a network saved by {@link #save}; see {@link NetworkFile#read}. */
  public static Network load(Path file, NDManager manager) throws IOException {
    return NetworkFile.read(file, manager, null);
  }

  /**
   * Loads a network saved by {@link #save} and checks that it has the {@code expected} spec.
   *
   * @throws IllegalArgumentException naming the file when its spec differs from {@code expected}
   */
  public static Network load(Path file, NDManager manager, NetworkSpec expected) throws IOException {
    return NetworkFile.read(file, manager, expected);
  }

  /** Writes the spec and every parameter (including batch-norm running statistics); see {@link NetworkFile}. */
  public void save(Path file) throws IOException {
    NetworkFile.write(this, file);
  }

  /** The spec this network was built from. */
  public NetworkSpec spec() {
    return spec;
  }

  /** The encoder f. */
  public ResNet encoder() {
    return encoder;
  }

  /** The projector g, or null. */
  public @Nullable Projector projector() {
    return projector;
  }

  /** The linear head l, or null. */
  public @Nullable LinearHead head() {
    return head;
  }

  /** f(x): (N, d) penultimate features, through the clean batch norms. */
  public NDArray features(ParameterStore ps, NDArray x, boolean training) {
    return features(ps, x, training, false);
  }

  /**
   * f(x) through the adversarial batch norms when {@code adversarialBn} (dual-BN encoders only).
   *
   * @throws IllegalStateException if {@code adversarialBn} on an encoder without dual BN
   */
  public NDArray features(ParameterStore ps, NDArray x, boolean training, boolean adversarialBn) {
    return encoder.forward(ps, new NDList(x), training, adversarialBn ? ADVERSARIAL_BN : null).singletonOrThrow();
  }

  /** g(f(x)). */
  public NDArray projection(ParameterStore ps, NDArray x, boolean training) {
    return projection(ps, x, training, false);
  }

  /** g(f(x)), f through the adversarial batch norms when {@code adversarialBn}. */
  public NDArray projection(ParameterStore ps, NDArray x, boolean training, boolean adversarialBn) {
    return project(ps, features(ps, x, training, adversarialBn), training);
  }

  /** l(f(x)). */
  public NDArray logits(ParameterStore ps, NDArray x, boolean training) {
    return logits(ps, x, training, false);
  }

  /** l(f(x)), f through the adversarial batch norms when {@code adversarialBn}. */
  public NDArray logits(ParameterStore ps, NDArray x, boolean training, boolean adversarialBn) {
    return classify(ps, features(ps, x, training, adversarialBn), training);
  }

  /** g(h) for given features h (N, d). */
  public NDArray project(ParameterStore ps, NDArray features, boolean training) {
    if (projector == null) {
      throw new IllegalStateException("this network has no projector (spec " + spec + ")");
    }
    return projector.forward(ps, new NDList(features), training).singletonOrThrow();
  }

  /** l(h) for given features h (N, d), e.g. averaged over augmentations (RoCL eq. 8). */
  public NDArray classify(ParameterStore ps, NDArray features, boolean training) {
    if (head == null) {
      throw new IllegalStateException("this network has no linear head (spec " + spec + ")");
    }
    return head.forward(ps, new NDList(features), training).singletonOrThrow();
  }

  /**
   * A network sharing this one's encoder and projector (same parameter arrays) with a new head of
   * {@code classes} outputs on {@code manager}, initialised from {@code rng}; for linear evaluation and
   * fine-tuning. This network is unchanged.
   */
  public Network withHead(int classes, NDManager manager, RandomGenerator rng) {
    LinearHead l = new LinearHead(classes);
    TorchDefaultInitialization.allocate(l, manager, new Shape(1, spec.featureDim()));
    TorchDefaultInitialization.apply(l, rng);
    return new Network(spec.withClasses(classes), encoder, projector, l);
  }

  /** Which batch norms of a dual-BN encoder a single-BN copy keeps ({@link #withBatchNorm}). */
  public enum BatchNormBranch {
    CLEAN,
    ADVERSARIAL
  }

  /**
   * This network with a single-BN encoder whose batch norms (affine parameters and running
   * statistics) are copies of the chosen branch of this dual-BN encoder; convolutions, projector and
   * head are copied or shared unchanged. It is what ACL's public fine-tuning does with
   * {@code --bnNameCnt} (0: the clean BN, 1: the adversarial "pgd" BN, used for its robust
   * fine-tuning and evaluation): the downstream model has one BN, taken from one pre-training branch.
   * A single-BN network is returned unchanged.
   */
  public Network withBatchNorm(BatchNormBranch branch, NDManager manager) {
    if (!spec.encoder().dualBn()) {
      return this;
    }
    ResNet single = new ResNet(spec.encoder().withDualBn(false));
    TorchDefaultInitialization.allocate(single, manager, INIT_SHAPE);
    String keep = branch == BatchNormBranch.CLEAN ? "01clean_" : "02adversarial_";
    String drop = branch == BatchNormBranch.CLEAN ? "02adversarial_" : "01clean_";
    java.util.Map<String, Parameter> sources = new java.util.HashMap<>();
    for (Pair<String, Parameter> p : encoder.getParameters()) {
      if (!p.getKey().contains(drop)) {
        sources.put(p.getKey().replace(keep, ""), p.getValue());
      }
    }
    for (Pair<String, Parameter> p : single.getParameters()) {
      Parameter source = sources.get(p.getKey());
      if (source == null) {
        throw new IllegalStateException("dual-BN encoder has no parameter for " + p.getKey());
      }
      source.getArray().copyTo(p.getValue().getArray());
    }
    return new Network(new NetworkSpec(spec.encoder().withDualBn(false), spec.projectorDims(), spec.classes()), single,
        projector, head);
  }

  /** Every parameter, including batch-norm running statistics, under stable prefixed names. */
  public ParameterList parameters() {
    ParameterList all = new ParameterList();
    addPrefixed(all, "encoder_", encoder);
    if (projector != null) {
      addPrefixed(all, "projector_", projector);
    }
    if (head != null) {
      addPrefixed(all, "head_", head);
    }
    return all;
  }

  /** The encoder's parameters (including running statistics), prefixed {@code encoder_}. */
  public ParameterList encoderParameters() {
    ParameterList out = new ParameterList();
    addPrefixed(out, "encoder_", encoder);
    return out;
  }

  /** The parameters an optimiser updates: those that currently require a gradient. */
  public List<Parameter> trainableParameters() {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : parameters()) {
      if (p.getValue().requiresGradient()) {
        out.add(p.getValue());
      }
    }
    return out;
  }

  /**
   * Freezes (or unfreezes) the encoder's learnable parameters, e.g. for linear evaluation: frozen
   * parameters report {@code requiresGradient() == false} and get no gradient.
   */
  public void freezeEncoder(boolean freeze) {
    encoder.freezeParameters(freeze, p -> p.getType() != Parameter.Type.RUNNING_MEAN
        && p.getType() != Parameter.Type.RUNNING_VAR);
  }

  /**
   * Lets the encoder's batch-norm biases (beta) train while the rest stays as it is: RUSH's
   * fine-tuning keeps f frozen except these (its appendix B). Undone by {@code freezeEncoder(false)}.
   */
  public void unfreezeEncoderBatchNormBiases() {
    encoder.freezeParameters(false, p -> p.getType() == Parameter.Type.BETA);
  }

  /**
   * Sets the head's weights and bias to 0: the zero-initialised fully connected layer that ASCL's
   * transfer protocol (its section 4.3.1) puts on the frozen encoder.
   */
  public void zeroHead() {
    if (head == null) {
      throw new IllegalStateException("this network has no linear head (spec " + spec + ")");
    }
    for (Pair<String, Parameter> p : head.getParameters()) {
      NDArray weights = p.getValue().getArray();
      weights.muli(DeviceScalars.uncounted().like(weights, 0f));
    }
  }

  /** Number of learnable scalars (parameters that require gradients); running statistics excluded. */
  public long learnableScalarCount() {
    long n = 0;
    for (Parameter p : trainableParameters()) {
      n += p.getArray().getShape().size();
    }
    return n;
  }

  private List<Block> blocks() {
    List<Block> out = new ArrayList<>();
    out.add(encoder);
    if (projector != null) {
      out.add(projector);
    }
    if (head != null) {
      out.add(head);
    }
    return out;
  }

  private static void addPrefixed(ParameterList into, String prefix, Block block) {
    for (Pair<String, Parameter> p : block.getParameters()) {
      into.add(prefix + p.getKey(), p.getValue());
    }
  }

  @Override
  public String toString() {
    return "Network" + spec;
  }
}
