package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.testing.CpuScope;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The projections the attacks rely on, checked against their optimality conditions. */
class ProjectionKktTest {

    @RegisterExtension final CpuScope cpu = new CpuScope();

    /**
     * Euclidean projection onto {||d||_1 <= eps, lower <= d <= upper}: KKT says there is one
     * lambda >= 0 with d_k = sign(v_k) clip(|v_k| - lambda, 0, cap_k), and lambda > 0 only when
     * the l_1 constraint is active.
     */
    @Test
    void l1BoxProjectionSatisfiesKkt() {
        NDManager m = cpu.manager();
        Random random = new Random(4);
        int n = 20;
        int d = 30;
        float[] v = new float[n * d];
        float[] x = new float[n * d];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) (random.nextGaussian() * 0.4);
            x[k] = random.nextFloat();
        }
        float eps = 1.5f;
        NDArray xs = m.create(x, new Shape(n, d));
        NDArray out = L1BoxProjection.project(m.create(v, new Shape(n, d)), xs.neg(), xs.neg().add(1f), eps);
        float[] p = out.toFloatArray();
        for (int i = 0; i < n; i++) {
            double l1 = 0;
            double lambda = -1;
            for (int k = 0; k < d; k++) {
                int j = i * d + k;
                l1 += Math.abs(p[j]);
                assertTrue(p[j] >= -x[j] - 1e-6 && p[j] <= 1 - x[j] + 1e-6, "box");
                double cap = v[j] >= 0 ? 1 - x[j] : x[j];
                if (Math.abs(p[j]) > 1e-5 && Math.abs(p[j]) < cap - 1e-5) {
                    lambda = Math.abs(v[j]) - Math.abs(p[j]); // interior coordinate fixes lambda
                }
            }
            assertTrue(l1 <= eps + 1e-4, "l1 " + l1);
            if (lambda < 0) {
                lambda = l1 < eps - 1e-4 ? 0 : Double.NaN;
            }
            if (Double.isNaN(lambda)) {
                continue; // every moving coordinate at a bound: lambda is only bracketed
            }
            if (lambda > 1e-4) {
                assertEquals(eps, l1, 1e-3, "active constraint when lambda > 0");
            }
            for (int k = 0; k < d; k++) {
                int j = i * d + k;
                double cap = v[j] >= 0 ? 1 - x[j] : x[j];
                double expected = Math.signum(v[j]) * Math.min(Math.max(Math.abs(v[j]) - lambda, 0), cap);
                assertEquals(expected, p[j], 2e-4, "KKT coordinate " + k + " of sample " + i);
            }
        }
    }

    /** FAB's box-constrained hyperplane projection has the closed-form norm of the linear model. */
    @Test
    void hyperplaneProjectionIsTheMinimalPerturbation() {
        NDManager m = cpu.manager();
        Random random = new Random(9);
        int n = 30;
        int d = 12;
        float[] t = new float[n * d];
        float[] w = new float[n * d];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int k = 0; k < d; k++) {
                t[i * d + k] = random.nextFloat();
                w[i * d + k] = (float) random.nextGaussian();
                dot += t[i * d + k] * w[i * d + k];
            }
            b[i] = (float) (dot + random.nextGaussian() * 1.5);
        }
        NDArray ts = m.create(t, new Shape(n, d));
        NDArray ws = m.create(w, new Shape(n, d));
        NDArray bs = m.create(b);
        for (Norm norm : Norm.values()) {
            NDArray proj = HyperplaneProjection.project(norm, ts, ws, bs, new Scalars(DeviceScalars.uncounted(), m, ts));
            float[] dd = proj.toFloatArray();
            float[] norms = PerturbationBall.norms(proj, norm).toFloatArray();
            for (int i = 0; i < n; i++) {
                double gap = 0;
                double reached = 0;
                double[] gain = new double[d];
                double[] room = new double[d];
                for (int k = 0; k < d; k++) {
                    gap += w[i * d + k] * t[i * d + k];
                    reached += w[i * d + k] * (t[i * d + k] + dd[i * d + k]);
                    assertTrue(t[i * d + k] + dd[i * d + k] >= -1e-5 && t[i * d + k] + dd[i * d + k] <= 1 + 1e-5);
                }
                gap -= b[i];
                double sign = gap >= 0 ? -1 : 1;
                for (int k = 0; k < d; k++) {
                    double g = sign * w[i * d + k];
                    gain[k] = Math.abs(g);
                    room[k] = g > 0 ? 1 - t[i * d + k] : t[i * d + k];
                }
                double exact = LinearModel.distance(norm, gain, room, Math.abs(gap));
                if (Double.isInfinite(exact)) {
                    continue;
                }
                assertEquals(b[i], reached, 1e-3 * (1 + Math.abs(b[i])), norm + ": on the hyperplane, sample " + i);
                assertEquals(exact, norms[i], 1e-4 + 1e-3 * exact, norm + ": minimal norm, sample " + i);
            }
        }
    }
}
