package io.robustcl.ml.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {
    private static final Path CIFAR10 = Path.of("../shared/data/cifar-10-batches-bin");

    @TempDir
    Path tmp;

    @Test
    void realCifar10SubsetHasTheExpectedShapesBalanceAndRange() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(CIFAR10), CIFAR10 + " absent: real CIFAR-10 checks skipped");
        ImageSet train = Cifar10Reader.readTrain(CIFAR10);
        ImageSet test = Cifar10Reader.readTest(CIFAR10);
        int batches = Cifar10Reader.trainFiles(CIFAR10).size();
        assertEquals(10000 * batches, train.size());
        assertEquals(10000, test.size());
        assertEquals(Cifar10Reader.CLASSES, train.classes());
        for (ImageSet set : new ImageSet[] {train.head(10000), test}) {
            int[] counts = new int[10];
            for (int label : set.labels()) {
                counts[label]++;
            }
            for (int k = 0; k < 10; k++) {
                assertTrue(counts[k] > 900 && counts[k] < 1100, "class " + k + " has " + counts[k] + " images");
            }
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = set.images(manager);
                assertEquals(new Shape(10000, 3, 32, 32), x.getShape());
                assertEquals(0f, x.min().getFloat());
                assertEquals(1f, x.max().getFloat());
                float mean = x.mean().getFloat();
                assertTrue(mean > 0.4f && mean < 0.55f, "mean pixel " + mean);
                // natural images: red is not uniformly equal to blue
                assertTrue(x.get(":, 0").sub(x.get(":, 2")).abs().mean().getFloat() > 0.02f);
            }
        }
        assertEquals(1000, Cifar10Reader.readTest(CIFAR10, 1000).size());
    }

    @Test
    void truncatedCifar10FileFailsNamingFileAndOffset() throws IOException {
        Path source = CIFAR10.resolve("test_batch.bin");
        Path dir = Files.createDirectories(tmp.resolve("cifar"));
        byte[] bytes = Files.isRegularFile(source)
                ? Arrays.copyOf(Files.readAllBytes(source), 5 * 3073 + 100)
                : new byte[5 * 3073 + 100];
        Files.write(dir.resolve("test_batch.bin"), bytes);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Cifar10Reader.readTest(dir));
        assertEquals(5 * 3073, e.offset());
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("offset 15365"), e.getMessage());
    }

    @Test
    void cifar10RecordsDecodeLabelAndPlanesInOrderOfBatchNumber() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("c10"));
        Files.write(dir.resolve("data_batch_10.bin"), record(new byte[] {9}, 30));
        Files.write(dir.resolve("data_batch_2.bin"), concat(record(new byte[] {3}, 10), record(new byte[] {4}, 20)));
        ImageSet set = Cifar10Reader.readTrain(dir);
        assertArrayEquals(new int[] {3, 4, 9}, set.labels());
        float[] first = set.imageAsFloats(0);
        assertEquals(pixel(10, 0, 0, 0), first[0], 0f);           // R plane first
        assertEquals(pixel(10, 1, 5, 7), first[1024 + 5 * 32 + 7], 0f);
        assertEquals(pixel(10, 2, 31, 31), first[3071], 0f);
        assertEquals(2, Cifar10Reader.readTrain(dir, 2).size());
        Files.write(dir.resolve("data_batch_2.bin"), record(new byte[] {10}, 1));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Cifar10Reader.readTrain(dir));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("data_batch_2.bin"));
        assertThrows(java.io.FileNotFoundException.class, () -> Cifar10Reader.readTrain(tmp));
    }

    @Test
    void cifar100UsesFineLabels() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("c100"));
        Files.write(dir.resolve("train.bin"), concat(record(new byte[] {7, 42}, 1), record(new byte[] {19, 99}, 2)));
        ImageSet set = Cifar100Reader.readTrain(dir);
        assertArrayEquals(new int[] {42, 99}, set.labels());
        assertEquals(100, set.classes().size());
        assertEquals(pixel(2, 1, 3, 4), set.imageAsFloats(1)[1024 + 3 * 32 + 4], 0f);
        Files.write(dir.resolve("test.bin"), concat(record(new byte[] {1, 5}, 1), record(new byte[] {1, 100}, 2)));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Cifar100Reader.readTest(dir));
        assertEquals(3074 + 1, e.offset());
    }

    @Test
    void antialiasedResizeAveragesWithPilsTriangleWeights() {
        // 96 -> 32 (scale 3): output column i weighs input columns 3i-1 .. 3i+3 by (1, 2, 3, 2, 1) / 9
        int side = 96;
        byte[] ramp = new byte[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                ramp[y * side + x] = (byte) (2 * x);
            }
        }
        byte[] out = new AntialiasedResize(32, 32).apply(ramp, 1, side, side);
        assertEquals(32 * 32, out.length);
        for (int i = 1; i < 31; i++) {
            assertEquals(2 * (3 * i + 1), out[5 * 32 + i] & 0xff, "column " + i);
        }
        // at the border the taps outside the image are dropped and the rest renormalised: (2*0 + 3*2 + 2*4 + 1*6) / 8
        assertEquals(3, out[0] & 0xff);
        byte[] flat = new byte[3 * side * side];
        java.util.Arrays.fill(flat, (byte) 200);
        for (byte b : new AntialiasedResize(32, 32).apply(flat, 3, side, side)) {
            assertEquals(200, b & 0xff);
        }
    }

    @Test
    void stl10UnlabeledStreamsResizedIntoAMappedSet() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("stl-unlabeled"));
        int pixels = 3 * 96 * 96;
        byte[] x = new byte[3 * pixels];
        new java.util.Random(4).nextBytes(x);
        Files.write(dir.resolve("unlabeled_X.bin"), x);
        Path out = tmp.resolve("unlabeled-set");
        assertEquals(2, Stl10Reader.writeUnlabeled(dir, 2, 32, out));
        ImageSet mapped = ImageSet.open(out);
        assertEquals(2, mapped.size());
        assertEquals(32, mapped.height());
        assertEquals(-1, mapped.label(1));
        ImageSet inMemory = Stl10Reader.readUnlabeled(dir, 2);
        byte[] native1 = new byte[pixels];
        for (int p = 0; p < pixels; p++) {
            native1[p] = (byte) Math.round(inMemory.imageAsFloats(1)[p] * 255);
        }
        byte[] expected = new AntialiasedResize(32, 32).apply(native1, 3, 96, 96);
        float[] got = mapped.imageAsFloats(1);
        for (int p = 0; p < expected.length; p++) {
            assertEquals((expected[p] & 0xff) / 255f, got[p], 0f);
        }
        // the lazily opened set reads like the eagerly loaded one, subsets included
        ImageSet loaded = ImageSet.load(out);
        assertArrayEquals(loaded.imageAsFloats(0), mapped.subset(new int[] {1, 0}).imageAsFloats(1), 0f);
        // a truncated file is refused when opened, naming where it ends
        Path file = out.resolve("images.rclimg");
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 5));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> ImageSet.open(out));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void stl10TransposesColumnMajorChannelsAndShiftsLabels() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("stl"));
        int side = 96;
        int pixels = 3 * side * side;
        byte[] x = new byte[2 * pixels];
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 3; c++) {
                for (int col = 0; col < side; col++) {
                    for (int row = 0; row < side; row++) {
                        // on disk: column-major per channel
                        x[i * pixels + c * side * side + col * side + row] = (byte) (row + 2 * col + 50 * c + i);
                    }
                }
            }
        }
        Files.write(dir.resolve("train_X.bin"), x);
        Files.write(dir.resolve("train_y.bin"), new byte[] {1, 10});
        ImageSet set = Stl10Reader.readTrain(dir);
        assertEquals(2, set.size());
        assertEquals(96, set.height());
        assertArrayEquals(new int[] {0, 9}, set.labels());
        float[] image = set.imageAsFloats(1);
        int row = 7;
        int col = 40;
        assertEquals(((row + 2 * col + 50 * 2 + 1) & 0xff) / 255f, image[2 * side * side + row * side + col], 0f);
        Files.write(dir.resolve("unlabeled_X.bin"), x);
        ImageSet unlabeled = Stl10Reader.readUnlabeled(dir, 1);
        assertEquals(1, unlabeled.size());
        assertEquals(-1, unlabeled.label(0));
        Files.write(dir.resolve("test_X.bin"), Arrays.copyOf(x, pixels + 10));
        Files.write(dir.resolve("test_y.bin"), new byte[] {1});
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Stl10Reader.readTest(dir));
        assertEquals(pixels, e.offset());
        Files.write(dir.resolve("test_X.bin"), Arrays.copyOf(x, pixels));
        Files.write(dir.resolve("test_y.bin"), new byte[] {0});
        e = assertThrows(MalformedDataException.class, () -> Stl10Reader.readTest(dir));
        assertTrue(e.getMessage().contains("test_y.bin") && e.getMessage().contains("label 0"), e.getMessage());
    }

    static float pixel(int seed, int c, int y, int x) {
        return ((seed + 7 * c + 3 * y + 5 * x) & 0xff) / 255f;
    }

    private static byte[] record(byte[] label, int seed) {
        byte[] out = new byte[label.length + 3072];
        System.arraycopy(label, 0, out, 0, label.length);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    out[label.length + c * 1024 + y * 32 + x] = (byte) ((seed + 7 * c + 3 * y + 5 * x) & 0xff);
                }
            }
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
