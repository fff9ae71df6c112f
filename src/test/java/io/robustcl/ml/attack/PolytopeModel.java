package io.robustcl.ml.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;

/**
 * A piecewise-linear 4-class classifier: z_1 = min_m (a_m . x + c_m), z_0 = 0, z_2 = z_3 = -5
 * (constant classes that keep DLR defined). Class 1 wins inside the polytope {a_m . x + c_m > 0
 * for all m}; every point is drawn inside it with label 1, so its minimal perturbation is the
 * smallest distance to one of the M facets, each a linear problem ({@link LinearModel#distance}).
 */
final class PolytopeModel {

    final int facets = 6;
    final int dimension = 16;
    final double[][] normals = new double[facets][dimension];
    final double[] offsets = new double[facets];
    final float[][] points;
    private final NDArray normalT;
    private final NDArray offsetArray;
    private final NDArray pads;
    final NDArray images;
    final NDArray labels;

    PolytopeModel(NDManager manager, int samples, long seed) {
        Random random = new Random(seed);
        float[] a = new float[dimension * facets];
        float[] c = new float[facets];
        for (int m = 0; m < facets; m++) {
            double centre = 0;
            for (int k = 0; k < dimension; k++) {
                normals[m][k] = (float) random.nextGaussian();
                a[k * facets + m] = (float) normals[m][k];
                centre += normals[m][k] * 0.5;
            }
            offsets[m] = (float) (-centre + 0.3 + 0.6 * random.nextDouble());
            c[m] = (float) offsets[m];
        }
        points = new float[samples][];
        float[] flat = new float[samples * dimension];
        int found = 0;
        while (found < samples) {
            float[] x = new float[dimension];
            for (int k = 0; k < dimension; k++) {
                x[k] = 0.3f + 0.4f * random.nextFloat();
            }
            if (inside(x)) {
                points[found] = x;
                System.arraycopy(x, 0, flat, found * dimension, dimension);
                found++;
            }
        }
        normalT = manager.create(a, new Shape(dimension, facets));
        offsetArray = manager.create(c);
        pads = manager.create(new float[] {-5f, -5f}).reshape(1, 2);
        images = manager.create(flat, new Shape(samples, 1, 4, 4));
        labels = manager.ones(new Shape(samples), ai.djl.ndarray.types.DataType.INT32);
    }

    private double facet(int m, float[] x) {
        double v = offsets[m];
        for (int k = 0; k < dimension; k++) {
            v += normals[m][k] * x[k];
        }
        return v;
    }

    private boolean inside(float[] x) {
        for (int m = 0; m < facets; m++) {
            if (facet(m, x) <= 0) {
                return false;
            }
        }
        return true;
    }

    NDArray logits(NDArray x) {
        long n = x.getShape().get(0);
        NDArray z1 = x.reshape(n, -1).dot(normalT).add(offsetArray).min(new int[] {1}, true);
        return NDArrays.concat(new NDList(z1.zerosLike(), z1, pads.broadcast(n, 2).add(z1.zerosLike())), 1);
    }

    AttackedClassifier classifier() {
        return new AttackedClassifier(this::logits, List.of(), 4);
    }

    double[] distances(Norm norm) {
        double[] out = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (int m = 0; m < facets; m++) {
                double[] gain = new double[dimension];
                double[] room = new double[dimension];
                for (int k = 0; k < dimension; k++) {
                    gain[k] = Math.abs(normals[m][k]);
                    room[k] = normals[m][k] > 0 ? points[i][k] : 1 - points[i][k];
                }
                best = Math.min(best, LinearModel.distance(norm, gain, room, facet(m, points[i])));
            }
            out[i] = best;
        }
        return out;
    }
}
