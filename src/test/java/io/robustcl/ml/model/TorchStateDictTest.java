package io.robustcl.ml.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.robustcl.ml.model.SafetensorsFile.Tensor;
import io.robustcl.testing.CpuScope;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks in and out of PyTorch: the fixtures under src/test/resources/torch were made once by
 * make_fixtures.py with PyTorch (a CIFAR ResNet of RoCL's layout, its logits on a fixed input).
 */
class TorchStateDictTest {

    @RegisterExtension final CpuScope cpu = new CpuScope();
    @TempDir Path temp;

    static final Path FIXTURES = Path.of("src/test/resources/torch");

    @Test
    void importedPyTorchModelComputesPyTorchsLogits() throws Exception {
        SafetensorsFile.Contents model = SafetensorsFile.read(FIXTURES.resolve("model.safetensors"));
        SafetensorsFile.Contents expected = SafetensorsFile.read(FIXTURES.resolve("expected.safetensors"));
        Network network = TorchStateDict.load(model.tensors(), null, cpu.manager());
        assertEquals(List.of(1, 1), network.spec().encoder().blocksPerStage());
        assertEquals(4, network.spec().encoder().width());
        assertEquals(List.of(8, 4), network.spec().projectorDims());
        assertEquals(3, network.spec().classes());
        Tensor input = expected.tensors().get("input");
        NDArray x = cpu.manager().create(input.floats(), new Shape(input.shape()));
        ParameterStore store = new ParameterStore(cpu.manager(), false);
        assertArrayEquals(expected.tensors().get("logits").floats(), network.logits(store, x, false).toFloatArray(), 1e-4f);
        assertArrayEquals(expected.tensors().get("projection").floats(),
                network.projection(store, x, false).toFloatArray(), 1e-4f);
    }

    @Test
    void exportReproducesThePyTorchStateDict() throws Exception {
        SafetensorsFile.Contents model = SafetensorsFile.read(FIXTURES.resolve("model.safetensors"));
        Network network = TorchStateDict.load(model.tensors(), null, cpu.manager());
        Path out = temp.resolve("again.safetensors");
        SafetensorsFile.write(out, TorchStateDict.of(network));
        SafetensorsFile.Contents again = SafetensorsFile.read(out);
        assertEquals(new java.util.TreeSet<>(model.tensors().keySet()), new java.util.TreeSet<>(again.tensors().keySet()));
        for (Map.Entry<String, Tensor> e : model.tensors().entrySet()) {
            Tensor back = again.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
            if (e.getValue().floats() != null) {
                assertArrayEquals(e.getValue().floats(), back.floats(), e.getKey());
            }
        }
    }

    @Test
    void robustclNetworkSurvivesARoundTripWithItsNormalisation() throws Exception {
        NetworkSpec spec = new NetworkSpec(ResNetSpec.resnet50(2).withBlocks(List.of(1, 2))
                .withNormalization(InputNormalization.CIFAR10), List.of(6, 3), 5);
        Network original = Network.create(spec, cpu.manager(), new SplittableRandom(2));
        Path out = temp.resolve("net.safetensors");
        SafetensorsFile.write(out, TorchStateDict.of(original));
        SafetensorsFile.Contents contents = SafetensorsFile.read(out);
        assertTrue(contents.tensors().containsKey("layer2.1.conv3.weight"));
        assertTrue(contents.tensors().containsKey("layer1.0.shortcut.1.running_var"));
        Network back = TorchStateDict.load(contents.tensors(), TorchStateDict.normalizationOf(contents.metadata()),
                cpu.manager());
        assertEquals(spec, back.spec());
        NDArray x = cpu.manager().randomUniform(0f, 1f, new Shape(2, 3, 8, 8));
        ParameterStore store = new ParameterStore(cpu.manager(), false);
        assertArrayEquals(original.logits(store, x, false).toFloatArray(), back.logits(store, x, false).toFloatArray(), 1e-6f);
    }

    @Test
    void mismatchedStateDictsAreRefusedNamingTheTensor() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>(
                SafetensorsFile.read(FIXTURES.resolve("model.safetensors")).tensors());
        tensors.remove("layer2.0.bn2.running_mean");
        tensors.put("fc.weight", Tensor.of(new long[] {1}, new float[] {0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchStateDict.load(tensors, null, cpu.manager()));
        assertTrue(e.getMessage().contains("missing layer2.0.bn2.running_mean"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected fc.weight"), e.getMessage());
    }
}
