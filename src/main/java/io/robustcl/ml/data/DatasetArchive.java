package io.robustcl.ml.data;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An official dataset archive: where it lives, its size and checksums, the directory it
 * extracts to and the members that are extracted (every other member is ignored).
 *
 * @param name      short name ("cifar10", "cifar100", "stl10")
 * @param uri       download address (http, https or file)
 * @param bytes     expected archive size, or -1 when unknown
 * @param sha256    expected SHA-256 (hex), or null when no public value is known
 * @param md5       expected MD5 (hex), or null when unknown
 * @param directory top-level directory of the members, e.g. {@code cifar-10-batches-bin}
 * @param members   file names under {@code directory} to extract; all must be present
 */
public record DatasetArchive(String name, URI uri, long bytes, @Nullable String sha256, @Nullable String md5,
        String directory, List<String> members) {
    public DatasetArchive {
        if (sha256 == null && md5 == null) {
            throw new IllegalArgumentException(name + ": an archive needs at least one checksum");
        }
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        md5 = md5 == null ? null : md5.toLowerCase(Locale.ROOT);
        members = List.copyOf(members);
        if (directory.isEmpty() || directory.contains("/") || directory.contains("..")) {
            throw new IllegalArgumentException(name + ": bad directory name '" + directory + "'");
        }
    }

    /** CIFAR-10 binary version (DESIGN.md table). */
    public static final DatasetArchive CIFAR10 = new DatasetArchive("cifar10",
            URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), 170052171L,
            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", "c32a1d4ab5d03f1284b67883e8d87530",
            "cifar-10-batches-bin", List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                    "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin", "batches.meta.txt"));

    /** CIFAR-100 binary version; no public SHA-256 is known, so the published MD5 is verified. */
    public static final DatasetArchive CIFAR100 = new DatasetArchive("cifar100",
            URI.create("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"), 168513733L, null,
            "03b5dce01913d631647c71ecec9e9cb8", "cifar-100-binary",
            List.of("train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt"));

    /** STL-10 binary version (2.6 GB). */
    public static final DatasetArchive STL10 = new DatasetArchive("stl10",
            URI.create("http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz"), 2640397119L,
            "f31fd99273a1acb8609c8db427cebb1de3f71de77758cdc0e22956e1289b9866", "91f7769df0f17e558f3565bffb0c7dfb",
            "stl10_binary", List.of("train_X.bin", "train_y.bin", "test_X.bin", "test_y.bin", "unlabeled_X.bin",
                    "class_names.txt"));

    /** This archive fetched from another address (a mirror, or a file URL in tests). */
    public DatasetArchive withUri(URI other) {
        return new DatasetArchive(name, other, bytes, sha256, md5, directory, members);
    }
}
