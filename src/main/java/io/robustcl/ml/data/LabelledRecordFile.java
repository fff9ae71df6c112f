package io.robustcl.ml.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fixed-size records of the CIFAR binary formats: {@code labelBytes} label bytes (the
 * one at {@code labelIndex} is used) followed by the pixels in CHW order.
 */
final class LabelledRecordFile {
    private LabelledRecordFile() {}

    /** Appends up to {@code limit} records of {@code file} to {@code images}/{@code labels}. */
    static void read(Path file, int labelBytes, int labelIndex, int pixelBytes, int classCount, int limit,
            List<Object> images, List<Integer> labels) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": missing (expected the dataset's official binary file)");
        }
        long length = Files.size(file);
        int recordBytes = labelBytes + pixelBytes;
        if (length % recordBytes != 0) {
            throw new MalformedDataException(file, length - length % recordBytes,
                    "truncated or malformed: " + length + " bytes is not a multiple of the " + recordBytes
                            + "-byte record; the last record is incomplete");
        }
        long records = length / recordBytes;
        int count = (int) Math.min(records, limit);
        byte[] label = new byte[labelBytes];
        try (PositionedInput in = new PositionedInput(file)) {
            for (int i = 0; i < count; i++) {
                long at = in.offset();
                in.readFully(label, "the label of record " + i);
                int value = label[labelIndex] & 0xff;
                if (value >= classCount) {
                    throw new MalformedDataException(file, at + labelIndex,
                            "label " + value + " of record " + i + " outside [0, " + classCount + ")");
                }
                byte[] image = new byte[pixelBytes];
                in.readFully(image, "the pixels of record " + i);
                images.add(image);
                labels.add(value);
            }
        }
    }

    /** Non-blank lines of a class-name file, or {@code fallback} when the file is absent. */
    static List<String> classNames(Path file, List<String> fallback) throws IOException {
        if (!Files.isRegularFile(file)) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.size() != fallback.size()) {
            throw new MalformedDataException(file, 0, "expected " + fallback.size() + " class names, found " + names.size());
        }
        return names;
    }

    static ImageSet toImageSet(List<String> classes, int channels, int height, int width, List<Object> images,
            List<Integer> labels) {
        int[] l = new int[labels.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.get(i);
        }
        return ImageSet.wrap(classes, channels, height, width, ImageSet.PixelStorage.UINT8, images.toArray(), l);
    }
}
