package io.robustcl.ml.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CIFAR-100 in its official binary format ({@code cifar-100-binary}: {@code train.bin},
 * {@code test.bin}): records of a coarse label byte, a fine label byte and 3072 pixel bytes
 * (R, G, B planes). The fine (100-class) labels are used.
 */
public final class Cifar100Reader {
    /** The CIFAR-100 fine classes, in label order (used when fine_label_names.txt is absent). */
    public static final List<String> CLASSES = List.of("apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee",
            "beetle", "bicycle", "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle",
            "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile",
            "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house",
            "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree",
            "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear",
            "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray",
            "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake",
            "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television",
            "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf",
            "woman", "worm");
    private static final int PIXELS = 3 * 32 * 32;

    private Cifar100Reader() {}

    public static ImageSet readTrain(Path dir) throws IOException {
        return read(dir, "train.bin", Integer.MAX_VALUE);
    }

    public static ImageSet readTrain(Path dir, int limit) throws IOException {
        return read(dir, "train.bin", limit);
    }

    public static ImageSet readTest(Path dir) throws IOException {
        return read(dir, "test.bin", Integer.MAX_VALUE);
    }

    public static ImageSet readTest(Path dir, int limit) throws IOException {
        return read(dir, "test.bin", limit);
    }

    private static ImageSet read(Path dir, String name, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        List<String> classes = LabelledRecordFile.classNames(dir.resolve("fine_label_names.txt"), CLASSES);
        List<Object> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        LabelledRecordFile.read(dir.resolve(name), 2, 1, PIXELS, classes.size(), limit, images, labels);
        return LabelledRecordFile.toImageSet(classes, 3, 32, 32, images, labels);
    }
}
