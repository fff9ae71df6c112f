package io.robustcl.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.robustcl.ml.device.HostTransfer;
import io.robustcl.ml.model.SafetensorsFile.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Network} as the PyTorch {@code state_dict} of the CIFAR ResNet that RoCL's and the
 * TRADES public code use (kuangliu's {@code models/resnet.py}), plus RoCL's projector:
 *
 * <pre>
 *   robustcl parameter                               PyTorch state_dict name
 *   encoder stem_conv weight                         conv1.weight
 *   encoder stem_bn gamma/beta/runningMean/runningVar bn1.weight/bias/running_mean/running_var
 *                                                    (+ bn1.num_batches_tracked, int64, written as 0)
 *   encoder stage{s}_block{b} conv{i}, bn{i}         layer{s}.{b-1}.conv{i}.weight, layer{s}.{b-1}.bn{i}.*
 *   encoder stage{s}_block{b} shortcut_conv, _bn     layer{s}.{b-1}.shortcut.0.weight, layer{s}.{b-1}.shortcut.1.*
 *   projector linear{i} weight/bias                  projector.linear_{i}.weight/bias (RoCL's Projector)
 *   head linear weight/bias                          linear.weight/bias
 * </pre>
 *
 * Shapes are PyTorch's (conv OIHW, linear out x in), so tensors copy unchanged. PyTorch's model
 * pools with {@code F.avg_pool2d(out, 4)}, which on 32x32 inputs is our global average pool. Input
 * normalisation has no tensor: it travels in the safetensors metadata ({@code normalization_mean},
 * {@code normalization_std}). Dual-BN encoders have no counterpart in that code and are refused.
 */
public final class TorchStateDict {

    private static final Pattern STEM_CONV = Pattern.compile("encoder_\\d+stem_conv_weight");
    private static final Pattern STEM_BN = Pattern.compile("encoder_\\d+stem_bn_(\\w+)");
    private static final Pattern LAYER = Pattern.compile(
            "encoder_\\d+stage(\\d+)_block(\\d+)_\\d+(conv|bn)(\\d)_(\\w+)");
    private static final Pattern SHORTCUT = Pattern.compile(
            "encoder_\\d+stage(\\d+)_block(\\d+)_\\d+shortcut_(conv|bn)_(\\w+)");
    private static final Pattern PROJECTOR = Pattern.compile("projector_\\d+linear(\\d+)_(weight|bias)");
    private static final Pattern HEAD = Pattern.compile("head_\\d+linear_(weight|bias)");

    /** Metadata keys of the input normalisation. */
    public static final String MEAN = "normalization_mean";
    public static final String STD = "normalization_std";

    private TorchStateDict() {}

    /** The PyTorch name of a robustcl parameter. */
    static String torchName(String name) {
        Matcher m;
        if (STEM_CONV.matcher(name).matches()) {
            return "conv1.weight";
        }
        if ((m = STEM_BN.matcher(name)).matches()) {
            return "bn1." + batchNorm(m.group(1), name);
        }
        if ((m = LAYER.matcher(name)).matches()) {
            String prefix = "layer" + m.group(1) + "." + (Integer.parseInt(m.group(2)) - 1) + ".";
            String suffix = m.group(3).equals("conv") ? "weight" : batchNorm(m.group(5), name);
            return prefix + m.group(3) + m.group(4) + "." + suffix;
        }
        if ((m = SHORTCUT.matcher(name)).matches()) {
            String prefix = "layer" + m.group(1) + "." + (Integer.parseInt(m.group(2)) - 1) + ".shortcut.";
            return m.group(3).equals("conv") ? prefix + "0.weight" : prefix + "1." + batchNorm(m.group(4), name);
        }
        if ((m = PROJECTOR.matcher(name)).matches()) {
            return "projector.linear_" + m.group(1) + "." + m.group(2);
        }
        if ((m = HEAD.matcher(name)).matches()) {
            return "linear." + m.group(1);
        }
        throw new IllegalArgumentException("no PyTorch name for parameter " + name
                + " (dual-BN encoders cannot be exported: keep one branch first, e.g. through linear-eval's bn)");
    }

    private static String batchNorm(String djl, String name) {
        return switch (djl) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> throw new IllegalArgumentException("unexpected batch-norm parameter " + name);
        };
    }

    /** The state dict of {@code network}: float32 tensors and an int64 num_batches_tracked per BN. */
    public static SafetensorsFile.Contents of(Network network) {
        if (network.spec().encoder().dualBn()) {
            throw new IllegalArgumentException("a dual-BN encoder has no PyTorch counterpart in RoCL's code; keep one"
                    + " branch first (linear-eval / fine-tune with bn: clean or adversarial)");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : network.parameters()) {
            String name = torchName(p.getKey());
            NDArray array = p.getValue().getArray();
            tensors.put(name, Tensor.of(array.getShape().getShape(), array.toType(DataType.FLOAT32, false).toFloatArray()));
            if (name.endsWith(".running_var")) {
                tensors.put(name.replace(".running_var", ".num_batches_tracked"), Tensor.ofLongs(new long[0], new long[] {0}));
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("producer", "robustcl");
        InputNormalization norm = network.spec().encoder().normalization();
        if (norm != null) {
            metadata.put(MEAN, join(norm.mean()));
            metadata.put(STD, join(norm.std()));
        }
        return new SafetensorsFile.Contents(tensors, metadata);
    }

    private static String join(List<Double> values) {
        List<String> parts = new ArrayList<>();
        values.forEach(v -> parts.add(Double.toString(v)));
        return String.join(",", parts);
    }

    /**
     * The architecture a state dict describes: the stem width, the blocks per stage (counted from
     * {@code layer<s>.<b>.conv1.weight}), bottleneck blocks when {@code conv3} exists, the
     * projector's layer widths and the head's classes.
     *
     * @param normalization the input normalisation to build in (from metadata or the caller), or null
     * @throws IllegalArgumentException naming what is missing
     */
    public static NetworkSpec specOf(Map<String, Tensor> dict, @Nullable InputNormalization normalization) {
        Tensor stem = dict.get("conv1.weight");
        if (stem == null || stem.shape().length != 4) {
            throw new IllegalArgumentException("not a CIFAR ResNet state_dict: no 4-d 'conv1.weight' (names seen: "
                    + preview(dict) + ")");
        }
        int width = Math.toIntExact(stem.shape()[0]);
        List<Integer> blocks = new ArrayList<>();
        for (int s = 1; s <= 4; s++) {
            int b = 0;
            while (dict.containsKey("layer" + s + "." + b + ".conv1.weight")) {
                b++;
            }
            if (b == 0) {
                break;
            }
            blocks.add(b);
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("not a CIFAR ResNet state_dict: no 'layer1.0.conv1.weight'");
        }
        boolean bottleneck = dict.containsKey("layer1.0.conv3.weight");
        int depth = bottleneck ? 50 : blocks.equals(List.of(3, 4, 6, 3)) ? 34 : 18;
        ResNetSpec encoder = new ResNetSpec(depth, width, blocks, false, normalization);
        List<Integer> projector = new ArrayList<>();
        for (int i = 1; dict.containsKey("projector.linear_" + i + ".weight"); i++) {
            projector.add(Math.toIntExact(dict.get("projector.linear_" + i + ".weight").shape()[0]));
        }
        int classes = dict.containsKey("linear.weight") ? Math.toIntExact(dict.get("linear.weight").shape()[0]) : 0;
        return new NetworkSpec(encoder, projector, classes);
    }

    /** The input normalisation recorded in safetensors metadata, or null. */
    public static @Nullable InputNormalization normalizationOf(Map<String, String> metadata) {
        if (!metadata.containsKey(MEAN) || !metadata.containsKey(STD)) {
            return null;
        }
        return new InputNormalization(doubles(metadata.get(MEAN)), doubles(metadata.get(STD)));
    }

    private static List<Double> doubles(String text) {
        List<Double> out = new ArrayList<>();
        for (String part : text.split(",")) {
            out.add(Double.parseDouble(part.trim()));
        }
        return out;
    }

    /**
     * Builds the network the state dict describes and copies every tensor in, as PyTorch's strict
     * {@code load_state_dict} would: every parameter must be present with its shape, and no name
     * may be left over ({@code num_batches_tracked} is accepted and ignored).
     *
     * @throws IllegalArgumentException listing missing, unexpected or mis-shaped tensors
     */
    public static Network load(Map<String, Tensor> dict, @Nullable InputNormalization normalization, NDManager manager) {
        Network network = Network.build(specOf(dict, normalization), manager);
        List<String> problems = new ArrayList<>();
        TreeSet<String> unused = new TreeSet<>(dict.keySet());
        unused.removeIf(n -> n.endsWith(".num_batches_tracked"));
        for (Pair<String, Parameter> p : network.parameters()) {
            String name = torchName(p.getKey());
            Tensor t = dict.get(name);
            NDArray array = p.getValue().getArray();
            if (t == null) {
                problems.add("missing " + name);
                continue;
            }
            unused.remove(name);
            if (!java.util.Arrays.equals(t.shape(), array.getShape().getShape()) || t.floats() == null) {
                problems.add(name + " has shape " + java.util.Arrays.toString(t.shape()) + (t.floats() == null
                        ? " and is not floating point" : "") + ", expected " + array.getShape());
                continue;
            }
            HostTransfer.write(array, t.floats());
        }
        unused.forEach(n -> problems.add("unexpected " + n));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("state_dict does not match the CIFAR ResNet layout: "
                    + String.join("; ", problems.subList(0, Math.min(8, problems.size())))
                    + (problems.size() > 8 ? "; ... (" + problems.size() + " problems)" : ""));
        }
        return network;
    }

    private static String preview(Map<String, Tensor> dict) {
        List<String> names = new ArrayList<>(dict.keySet());
        return String.join(", ", names.subList(0, Math.min(5, names.size()))).toLowerCase(Locale.ROOT);
    }
}
