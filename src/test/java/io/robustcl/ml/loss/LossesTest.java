package io.robustcl.ml.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LossesTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static final double[][] Z4 = {
        {1.0, 0.0, 0.5}, {0.2, 1.0, -0.3}, {0.9, 0.1, 0.4}, {-0.1, 0.8, 0.0}
    };

    private static final double[][] Z6 = {
        {1.0, 0.0, 0.5}, {0.2, 1.0, -0.3}, {0.9, 0.1, 0.4}, {-0.1, 0.8, 0.0}, {0.7, -0.2, 0.6}, {0.3, 0.9, 0.2}
    };

    /** NT-Xent straight from the formula in plain doubles: sum over positives / (V N). */
    private static double ntXentByHand(double[][] z, int views, double tau) {
        int m = z.length;
        int n = m / views;
        double[][] u = new double[m][];
        for (int i = 0; i < m; i++) {
            double norm = 0;
            for (double v : z[i]) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            u[i] = new double[z[i].length];
            for (int k = 0; k < z[i].length; k++) {
                u[i][k] = z[i][k] / norm;
            }
        }
        double total = 0;
        for (int i = 0; i < m; i++) {
            double denominator = 0;
            for (int k = 0; k < m; k++) {
                if (k != i) {
                    denominator += Math.exp(dot(u[i], u[k]) / tau);
                }
            }
            for (int j = 0; j < m; j++) {
                if (j != i && j % n == i % n) {
                    total += -Math.log(Math.exp(dot(u[i], u[j]) / tau) / denominator);
                }
            }
        }
        return total / m;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    private NDArray array(double[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < rows[0].length; k++) {
                flat[i * rows[0].length + k] = (float) rows[i][k];
            }
        }
        return manager.create(flat, new Shape(rows.length, rows[0].length));
    }

    @Test
    void ntXentTwoViewsMatchesHandComputation() {
        double expected = ntXentByHand(Z4, 2, 0.5);
        NtXentLoss loss = new NtXentLoss(0.5);
        assertEquals(expected, loss.loss(array(Z4), 2).getFloat(), 1e-5);
        // per-instance losses average to the loss
        assertEquals(expected, loss.perInstance(array(Z4), 2).mean().getFloat(), 1e-5);
        // a different temperature gives a different value, also matched
        assertEquals(ntXentByHand(Z4, 2, 0.2), new NtXentLoss(0.2).loss(array(Z4), 2).getFloat(), 1e-4);
    }

    @Test
    void ntXentThreeViewsMatchesHandComputation() {
        double expected = ntXentByHand(Z6, 3, 0.5);
        assertEquals(expected, new NtXentLoss(0.5).loss(array(Z6), 3).getFloat(), 1e-5);
        // and differs from treating the same rows as two views of three instances
        assertTrue(Math.abs(expected - ntXentByHand(Z6, 2, 0.5)) > 1e-3);
    }

    @Test
    void ntXentIsStableForTinyTemperatureAndScaleInvariant() {
        NtXentLoss loss = new NtXentLoss(0.01);
        float value = loss.loss(array(Z4).mul(1000f), 2).getFloat();
        assertTrue(Float.isFinite(value));
        assertEquals(loss.loss(array(Z4), 2).getFloat(), value, 1e-3);
    }

    @Test
    void ntXentGradientStaysFiniteForAZeroEmbedding() {
        // a row of exact zeros (all ReLUs dead) must not send NaN into the weights
        NDArray z = manager.create(new float[] {0f, 0f, 0f, 1f, 2f, 0.5f, -1f, 0.3f, 2f, 0.2f, 0.1f, -0.4f},
                new Shape(4, 3));
        z.setRequiresGradient(true);
        try (io.robustcl.ml.device.GradientTape tape = io.robustcl.ml.device.GradientTape.record()) {
            tape.backward(new NtXentLoss(0.5).loss(z, 2));
        }
        for (float g : z.getGradient().toFloatArray()) {
            assertTrue(Float.isFinite(g), "gradient " + java.util.Arrays.toString(z.getGradient().toFloatArray()));
        }
    }

    @Test
    void ntXentRejectsBadViews() {
        assertThrows(IllegalArgumentException.class, () -> new NtXentLoss(0.5).loss(array(Z4), 3));
        assertThrows(IllegalArgumentException.class, () -> new NtXentLoss(0));
    }

    @Test
    void supConMatchesHandComputationAndPrefersClassClusters() {
        // hand computation: anchors average -log p over same-label others
        double[][] z = Z6;
        int[] y = {0, 1, 0, 1, 0, 1};
        double tau = 0.5;
        double[][] u = new double[6][];
        for (int i = 0; i < 6; i++) {
            double norm = Math.sqrt(dot(z[i], z[i]));
            u[i] = new double[] {z[i][0] / norm, z[i][1] / norm, z[i][2] / norm};
        }
        double sum = 0;
        for (int i = 0; i < 6; i++) {
            double den = 0;
            for (int a = 0; a < 6; a++) {
                if (a != i) {
                    den += Math.exp(dot(u[i], u[a]) / tau);
                }
            }
            double li = 0;
            int count = 0;
            for (int p = 0; p < 6; p++) {
                if (p != i && y[p] == y[i]) {
                    li += -Math.log(Math.exp(dot(u[i], u[p]) / tau) / den);
                    count++;
                }
            }
            sum += li / count;
        }
        SupConLoss supCon = new SupConLoss(tau);
        NDArray labels = manager.create(y);
        assertEquals(sum / 6, supCon.loss(array(z), labels).getFloat(), 1e-5);

        // identical embeddings within each class give a lower loss than the same rows with shuffled labels
        double[][] clustered = {{1, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}};
        NDArray byClass = manager.create(new int[] {0, 0, 1, 1, 2, 2});
        NDArray shuffled = manager.create(new int[] {0, 1, 2, 0, 1, 2});
        float good = supCon.loss(array(clustered), byClass).getFloat();
        float bad = supCon.loss(array(clustered), shuffled).getFloat();
        assertTrue(good < bad - 0.5, good + " vs " + bad);
        assertThrows(IllegalArgumentException.class,
                () -> supCon.loss(array(clustered), manager.create(new int[] {0, 1, 2, 3, 4, 5})));
    }

    @Test
    void asclEq9AnchorsCleanViewsWithAdversarialPositives() {
        // rows 0-2 clean anchors t(x), rows 3-5 x + delta of the same instances; labels 0, 1, 0
        double[][] z = Z6;
        int[] y = {0, 1, 0};
        double tau = 0.5;
        double[][] u = new double[6][];
        for (int i = 0; i < 6; i++) {
            double norm = Math.sqrt(dot(z[i], z[i]));
            u[i] = new double[] {z[i][0] / norm, z[i][1] / norm, z[i][2] / norm};
        }
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            double den = 0;
            for (int a = 0; a < 6; a++) {
                if (a != i) {
                    den += Math.exp(dot(u[i], u[a]) / tau);
                }
            }
            double li = 0;
            int count = 0;
            for (int p = 0; p < 3; p++) {
                if (y[p] == y[i]) { // adversarial rows of the same class, the own x + delta included
                    li += -Math.log(Math.exp(dot(u[i], u[3 + p]) / tau) / den);
                    count++;
                }
            }
            expected[i] = li / count;
        }
        NDArray all = array(z);
        float[] got = new SupConLoss(tau)
                .adversarialPositivesPerAnchor(all.get("0:3"), all.get("3:6"), manager.create(y)).toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], got[i], 1e-5, "anchor " + i);
        }
        // not the symmetric SupCon over the six rows (whose anchors include the adversarial rows)
        float symmetric = new SupConLoss(tau).loss(all, manager.create(new int[] {0, 1, 0, 0, 1, 0})).getFloat();
        assertTrue(Math.abs(symmetric - (expected[0] + expected[1] + expected[2]) / 3) > 1e-3);
    }

    @Test
    void crossEntropyMatchesDefinition() {
        double[][] logits = {{2.0, -1.0, 0.5}, {0.0, 3.0, 1.0}};
        int[] y = {2, 1};
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double lse = 0;
            for (double l : logits[i]) {
                lse += Math.exp(l);
            }
            expected += -(logits[i][y[i]] - Math.log(lse));
        }
        assertEquals(expected / 2, new CrossEntropyLoss().loss(array(logits), manager.create(y)).getFloat(), 1e-5);
        // stable for huge logits
        float huge = new CrossEntropyLoss().loss(array(logits).mul(1e4f), manager.create(y)).getFloat();
        assertTrue(Float.isFinite(huge));
    }

    @Test
    void tradesKlIsZeroForIdenticalLogitsAndMatchesDefinition() {
        double[][] p = {{2.0, -1.0, 0.5}, {0.0, 3.0, 1.0}};
        double[][] q = {{0.0, 0.0, 0.0}, {1.0, 1.0, 4.0}};
        TradesKlLoss kl = new TradesKlLoss();
        assertEquals(0.0, kl.loss(array(p), array(p)).getFloat(), 1e-6);
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double[] sp = softmax(p[i]);
            double[] sq = softmax(q[i]);
            for (int c = 0; c < 3; c++) {
                expected += sp[c] * Math.log(sp[c] / sq[c]);
            }
        }
        assertEquals(expected / 2, kl.loss(array(p), array(q)).getFloat(), 1e-5);
    }

    private static double[] softmax(double[] l) {
        double s = 0;
        for (double v : l) {
            s += Math.exp(v);
        }
        double[] out = new double[l.length];
        for (int c = 0; c < l.length; c++) {
            out[c] = Math.exp(l[c]) / s;
        }
        return out;
    }

    @Test
    void featureDistancesMatchDefinitions() {
        double[][] a = {{1, 2, 2}, {0, 1, 0}};
        double[][] b = {{1, 0, 0}, {0, 2, 0}};
        NDArray mse = new FeatureDistanceLoss(FeatureDistanceLoss.Metric.MSE).perSample(array(a), array(b));
        NDArray l1 = new FeatureDistanceLoss(FeatureDistanceLoss.Metric.L1).perSample(array(a), array(b));
        NDArray cos = new FeatureDistanceLoss(FeatureDistanceLoss.Metric.COSINE).perSample(array(a), array(b));
        assertEquals(8.0 / 3, mse.getFloat(0), 1e-6);
        assertEquals(1.0 / 3, mse.getFloat(1), 1e-6);
        assertEquals(4.0 / 3, l1.getFloat(0), 1e-6);
        assertEquals(1 - 1.0 / 3, cos.getFloat(0), 1e-6);
        assertEquals(0.0, cos.getFloat(1), 1e-6);
    }
}
