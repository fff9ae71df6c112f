package io.robustcl.ml.data;

import java.util.Objects;

/**
 * Where an {@link ImageSet}'s pixels live: an array of per-image arrays in memory, a view of some
 * rows of another, or a memory-mapped image-set file read row by row ({@link MappedImageRows}), so
 * a large split (STL-10's 100,000 unlabeled images) is never held in the heap. Each row is a
 * {@code byte[]} (uint8) or {@code float[]} CHW image, not to be modified.
 */
interface ImageRows {

    int size();

    /** Image {@code index} (a stored array, or a fresh copy for file-backed rows). */
    Object get(int index);

    static ImageRows of(Object[] images) {
        return new ImageRows() {
            @Override
            public int size() {
                return images.length;
            }

            @Override
            public Object get(int index) {
                return images[Objects.checkIndex(index, images.length)];
            }
        };
    }

    /** The rows {@code indices} of {@code base}, in that order, sharing its storage. */
    static ImageRows select(ImageRows base, int[] indices) {
        int[] chosen = indices.clone();
        for (int index : chosen) {
            Objects.checkIndex(index, base.size());
        }
        return new ImageRows() {
            @Override
            public int size() {
                return chosen.length;
            }

            @Override
            public Object get(int index) {
                return base.get(chosen[Objects.checkIndex(index, chosen.length)]);
            }
        };
    }
}
