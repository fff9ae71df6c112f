package io.robustcl.ml.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.HostTransfer;
import java.util.random.RandomGenerator;

/**
 * The supervised CIFAR augmentation of Madry et al.'s and TRADES's public code:
 * {@code RandomCrop(size, padding=p)} (zero padding, torchvision's default fill) followed by
 * {@code RandomHorizontalFlip(0.5)}. Each image of the batch is zero-padded by {@code padding} pixels
 * on every side, an {@code H x W} window at a uniform offset in {@code [0, 2p]} is cut out, and it is
 * mirrored with probability 1/2. Output keeps the input's size. The crop is an index gather, so the
 * transform is differentiable in its input.
 *
 * @param padding p (4 in Madry's and TRADES's CIFAR code)
 */
public record PadCropFlip(int padding) implements ImageTransform {

    /** Madry's and TRADES's padding. */
    public static final int CIFAR_PADDING = 4;

    public PadCropFlip {
        if (padding < 0) {
            throw new IllegalArgumentException("pad-and-crop: padding must be >= 0, got " + padding);
        }
    }

    @Override
    public NDArray apply(NDArray images, RandomGenerator random) {
        Shape shape = images.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("pad-and-crop needs NCHW images, got " + shape);
        }
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        long[] rows = new long[n * h];
        long[] cols = new long[n * w];
        for (int s = 0; s < n; s++) {
            // torchvision draws top, then left, each uniform in [0, 2p], then the flip
            int top = random.nextInt(2 * padding + 1);
            int left = random.nextInt(2 * padding + 1);
            boolean flip = random.nextDouble() < 0.5;
            for (int i = 0; i < h; i++) {
                rows[s * h + i] = top + i;
            }
            for (int j = 0; j < w; j++) {
                cols[s * w + (flip ? w - 1 - j : j)] = left + j;
            }
        }
        // in the caller's scope, not a sub-scope closed on return: autograd keeps the gather indices
        // until backward (EoT differentiates through the transform after it returned)
        return crop(images, rows, cols, images.getManager());
    }

    private NDArray crop(NDArray images, long[] rows, long[] cols, NDManager scope) {
        Shape s = images.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray padded = pad(images, scope);
        NDArray rowIndex = HostTransfer.upload(scope, rows, new Shape(n, 1, h, 1));
        NDArray byRows = padded.gather(rowIndex.broadcast(new Shape(n, c, h, w + 2L * padding)), 2);
        NDArray colIndex = HostTransfer.upload(scope, cols, new Shape(n, 1, 1, w));
        return byRows.gather(colIndex.broadcast(new Shape(n, c, h, w)), 3);
    }

    /** The batch with {@code padding} zero rows and columns on each side. */
    private NDArray pad(NDArray images, NDManager sub) {
        if (padding == 0) {
            return images;
        }
        Shape s = images.getShape();
        NDArray side = sub.zeros(new Shape(s.get(0), s.get(1), s.get(2), padding), images.getDataType(), images.getDevice());
        NDArray wide = side.concat(images, 3).concat(side, 3);
        NDArray cap = sub.zeros(new Shape(s.get(0), s.get(1), padding, s.get(3) + 2L * padding), images.getDataType(),
                images.getDevice());
        return cap.concat(wide, 2).concat(cap, 2);
    }
}
