package io.robustcl.ml.data;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The uint8 rows of an image-set file, memory-mapped read-only and copied out one image at a time:
 * the heap never holds the split, the OS pages it in as batches touch it. Mapped in chunks of whole
 * images below 1 GiB each, so files of any size (STL-10's unlabeled split at 96x96 is 2.7 GB) map.
 * Absolute reads of a read-only mapping are safe from several threads at once.
 */
final class MappedImageRows implements ImageRows {

    private static final long CHUNK_BYTES = 1L << 30;

    private final int count;
    private final int pixels;
    private final int imagesPerChunk;
    private final MappedByteBuffer[] chunks;

    /**
     * @param file the image-set file
     * @param offset byte offset of the first image's pixels
     */
    MappedImageRows(Path file, long offset, int count, int pixels) throws IOException {
        this.count = count;
        this.pixels = pixels;
        this.imagesPerChunk = (int) Math.max(1, CHUNK_BYTES / pixels);
        int chunkCount = (count + imagesPerChunk - 1) / imagesPerChunk;
        this.chunks = new MappedByteBuffer[chunkCount];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int c = 0; c < chunkCount; c++) {
                long first = (long) c * imagesPerChunk;
                long images = Math.min(imagesPerChunk, count - first);
                chunks[c] = channel.map(FileChannel.MapMode.READ_ONLY, offset + first * pixels, images * pixels);
            }
        }
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, count);
        byte[] image = new byte[pixels];
        chunks[index / imagesPerChunk].get((index % imagesPerChunk) * pixels, image);
        return image;
    }
}
