package io.robustcl.ml.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSetTest {
    @TempDir
    Path tmp;

    private static ImageSet bytes(int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> images = new ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            byte[] image = new byte[3 * 4 * 5];
            random.nextBytes(image);
            images.add(image);
            labels[i] = i % 3;
        }
        return ImageSet.ofBytes(List.of("a", "b", "c"), 3, 4, 5, images, labels);
    }

    @Test
    void uint8RoundTripAndDeviceConversion() throws IOException {
        ImageSet set = bytes(7, 1);
        set.save(tmp);
        ImageSet back = ImageSet.load(tmp);
        assertEquals(ImageSet.PixelStorage.UINT8, back.storage());
        assertEquals(List.of("a", "b", "c"), back.classes());
        assertArrayEquals(set.labels(), back.labels());
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(set.imageAsFloats(i), back.imageAsFloats(i));
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = back.images(manager, new int[] {6, 2});
            assertEquals(new Shape(2, 3, 4, 5), x.getShape());
            assertEquals(DataType.FLOAT32, x.getDataType());
            float[] values = x.toFloatArray();
            assertArrayEquals(set.imageAsFloats(6), Arrays.copyOfRange(values, 0, 60));
            assertArrayEquals(set.imageAsFloats(2), Arrays.copyOfRange(values, 60, 120));
            assertArrayEquals(new long[] {0, 2}, back.labels(manager, new int[] {6, 2}).toLongArray());
        }
    }

    @Test
    void float32KeepsPerturbationsBelowOneLevel() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray base = bytes(4, 2).images(manager);
            NDArray adversarial = base.add(manager.full(base.getShape(), 1e-4f)).clip(0f, 1f);
            ImageSet set = ImageSet.fromNDArray(adversarial, new int[] {0, 1, 2, 0}, List.of("a", "b", "c"));
            set.save(tmp);
            ImageSet back = ImageSet.load(tmp);
            assertEquals(ImageSet.PixelStorage.FLOAT32, back.storage());
            NDArray loaded = back.images(manager);
            assertEquals(0f, loaded.sub(adversarial).abs().max().getFloat());
            assertTrue(loaded.sub(base).abs().max().getFloat() > 0f);
        }
    }

    @Test
    void unknownVersionTruncationAndTrailingBytesFailNamingFileAndOffset() throws IOException {
        bytes(3, 3).save(tmp);
        Path file = tmp.resolve(ImageSetFormat.FILE_NAME);
        byte[] good = Files.readAllBytes(file);
        byte[] versioned = good.clone();
        versioned[8] = 2;
        Files.write(file, versioned);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> ImageSet.load(tmp));
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("version 2"), e.getMessage());

        Files.write(file, Arrays.copyOf(good, good.length - 7));
        e = assertThrows(MalformedDataException.class, () -> ImageSet.load(tmp));
        assertEquals(good.length - 7, e.offset()); // where the file ends, inside the last image
        assertTrue(e.getMessage().contains("image 2"), e.getMessage());

        Files.write(file, Arrays.copyOf(good, good.length + 1));
        e = assertThrows(MalformedDataException.class, () -> ImageSet.load(tmp));
        assertEquals(good.length, e.offset());

        Files.write(file, "not an image set".getBytes());
        assertThrows(MalformedDataException.class, () -> ImageSet.load(tmp));
        assertThrows(java.io.FileNotFoundException.class, () -> ImageSet.load(tmp.resolve("none")));
    }

    @Test
    void subsetSharesOrderAndRejectsBadIndices() {
        ImageSet set = bytes(5, 4);
        ImageSet sub = set.subset(new int[] {4, 0});
        assertEquals(2, sub.size());
        assertArrayEquals(set.imageAsFloats(4), sub.imageAsFloats(0));
        assertArrayEquals(new int[] {1, 0}, sub.labels());
        assertThrows(IndexOutOfBoundsException.class, () -> set.subset(new int[] {5}));
        assertThrows(IllegalArgumentException.class,
                () -> ImageSet.ofBytes(List.of("a"), 3, 4, 5, List.of(new byte[59]), new int[] {0}));
        assertThrows(IllegalArgumentException.class,
                () -> ImageSet.ofBytes(List.of("a"), 3, 4, 5, List.of(new byte[60]), new int[] {1}));
    }

    @Test
    void batchLoaderShufflesReproduciblyPerEpochAndCoversEverySample() {
        ImageSet set = bytes(10, 5);
        BatchLoader loader = new BatchLoader(set, 4, true, false, 7);
        assertEquals(3, loader.batchesPerEpoch());
        assertArrayEquals(loader.order(0), new BatchLoader(set, 4, true, false, 7).order(0));
        assertNotEquals(Arrays.toString(loader.order(0)), Arrays.toString(loader.order(1)));
        assertNotEquals(Arrays.toString(loader.order(0)), Arrays.toString(new BatchLoader(set, 4, true, false, 8).order(0)));
        int[] sorted = loader.order(3).clone();
        Arrays.sort(sorted);
        assertArrayEquals(ImageSet.range(10), sorted);
        assertArrayEquals(ImageSet.range(10), new BatchLoader(set, 4, false, false, 7).order(0));
        BatchLoader dropLast = new BatchLoader(set, 4, true, true, 7);
        assertEquals(2, dropLast.batchesPerEpoch());
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Integer> sizes = new ArrayList<>();
            for (Iterator<Batch> it = loader.epoch(manager, 2); it.hasNext(); ) {
                try (Batch batch = it.next()) {
                    sizes.add(batch.size());
                    assertEquals(new Shape(batch.size(), 3, 4, 5), batch.images().getShape());
                    long[] labels = batch.labels().toLongArray();
                    for (int i = 0; i < labels.length; i++) {
                        assertEquals(set.label(batch.indices()[i]), labels[i]);
                    }
                    assertArrayEquals(set.imageAsFloats(batch.indices()[0]),
                            Arrays.copyOfRange(batch.images().toFloatArray(), 0, 60));
                }
            }
            assertEquals(List.of(4, 4, 2), sizes);
        }
        assertThrows(IllegalArgumentException.class, () -> new BatchLoader(set, 0, true, false, 0));
    }
}
