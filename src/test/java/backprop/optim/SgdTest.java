package backprop.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import kernels.SgdStep;
import kernels.ThreadPool;
import org.junit.jupiter.api.Test;

/** The vectorized update against the three lines of its definition, on lengths that exercise lanes and tail. */
class SgdTest {
    @Test
    void vectorizedUpdateMatchesTheDefinition() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int n : new int[] {1, 7, 8, 9, 37, 1000}) {
            for (boolean momentum : new boolean[] {false, true}) {
                float[] w = new float[n], g = new float[n], v = momentum ? new float[n] : null;
                for (int i = 0; i < n; i++) {
                    w[i] = i % 5 == 0 ? 0f : (float) (rng.nextDouble() * 2 - 1); // some exact zeros: sign(0) = 0
                    g[i] = (float) (rng.nextDouble() * 2 - 1);
                    if (v != null) v[i] = (float) (rng.nextDouble() * 2 - 1);
                }
                float lr = 0.1f, mu = 0.9f, l1 = 0.01f, l2 = 0.05f;
                float[] w0 = w.clone(), v0 = v == null ? null : v.clone();
                SgdStep.update(n, w, g, v, lr, momentum ? mu : 0f, l1, l2);
                for (int i = 0; i < n; i++) {
                    // g' = g + λ₂·w + λ₁·sign(w);  v = μ·v + g';  w = w − lr·v
                    double gi = g[i] + l2 * (double) w0[i] + l1 * Math.signum(w0[i]);
                    double vi = momentum ? mu * (double) v0[i] + gi : gi;
                    double wi = w0[i] - lr * vi;
                    // 1e-6: three or four float operations on values of order 1
                    assertEquals(wi, w[i], 1e-6, "w[" + i + "] of " + n);
                    if (momentum) assertEquals(vi, v[i], 1e-6, "v[" + i + "] of " + n);
                }
            }
        }
    }

    /** A large parameter is updated in slices by the pool's threads: the same bits for any thread count. */
    @Test
    void parallelUpdateIsBitwiseTheSameForAnyThreadCount() {
        SplittableRandom rng = new SplittableRandom(3);
        // below one part, a few parts with a tail that is not a whole vector, and more parts than threads
        int before = ThreadPool.get().threads();
        try {
            for (int n : new int[] {32 * 1024 - 1, 3 * 32 * 1024 + 5, 17 * 32 * 1024 + 13}) {
                for (int variant = 0; variant < 3; variant++) {
                    // momentum and decay, momentum alone, neither
                    assertSameBitsForAnyThreadCount(rng, n, variant != 2, variant == 0);
                }
            }
        } finally {
            ThreadPool.setThreads(before);
        }
    }

    private static void assertSameBitsForAnyThreadCount(SplittableRandom rng, int n, boolean momentum, boolean decay) {
        float[] w0 = new float[n], g = new float[n], v0 = momentum ? new float[n] : null;
        for (int i = 0; i < n; i++) {
            w0[i] = i % 5 == 0 ? 0f : (float) (rng.nextDouble() * 2 - 1);
            g[i] = (float) (rng.nextDouble() * 2 - 1);
            if (v0 != null) v0[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        float[] first = null, firstV = null;
        for (int threads : new int[] {1, 2, 3, 7, 16}) {
            ThreadPool.setThreads(threads);
            float[] w = w0.clone(), v = v0 == null ? null : v0.clone();
            SgdStep.update(n, w, g, v, 0.1f, momentum ? 0.9f : 0f, decay ? 0.01f : 0f, decay ? 0.05f : 0f);
            String at = n + " floats, momentum " + momentum + ", decay " + decay + ": " + threads + " threads against 1";
            if (first == null) {
                first = w;
                firstV = v;
            } else {
                assertArrayEquals(first, w, "weights, " + at);
                if (v != null) assertArrayEquals(firstV, v, "velocities, " + at);
            }
        }
    }
}
