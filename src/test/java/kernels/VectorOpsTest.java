package kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each vector helper against its ref twin on lengths around the vector width (the tail loop)
 * and with offsets. axpy uses one fused multiply-add where ref rounds twice: ref is within
 * u·|αx| + u·|result| of αx + y and fma within u·|result| (u = 2⁻²⁴), so they differ by at most
 * u·|αx| + 2u·|result| ≤ ε·(|αx| + |result|), ε = 2u. sumRows
 * adds rows in the same order as ref (vectorized across columns only), scale and mul do the
 * same single rounding: those three must be bitwise equal.
 */
class VectorOpsTest {
    private static final int[] LENGTHS = {0, 1, 7, 8, 9, 15, 16, 17, 33, 100};

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 4 - 2);
        return x;
    }

    @Test
    void axpyMatchesRef() {
        for (int n : LENGTHS) {
            float[] x = random(1, n + 3), y = random(2, n + 5), y2 = y.clone();
            VectorOps.axpy(n, 0.3f, x, 3, y, 5);
            VectorOps.axpyRef(n, 0.3f, x, 3, y2, 5);
            for (int i = 0; i < y.length; i++) {
                double bound = i >= 5 ? Math.ulp(1f) * (Math.abs(0.3f * x[i - 5 + 3]) + Math.abs(y2[i])) : 0;
                assertEquals(y2[i], y[i], bound, "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void scaleMulSumRowsAndBiasAreBitwiseRef() {
        for (int n : LENGTHS) {
            float[] x = random(3, n + 1), x2 = x.clone();
            VectorOps.scale(n, -1.7f, x, 1);
            VectorOps.scaleRef(n, -1.7f, x2, 1);
            assertArrayEquals(x2, x, "scale n=" + n);

            float[] y = random(4, n), z = new float[n + 2], z2 = new float[n + 2];
            VectorOps.mul(n, x, 1, y, 0, z, 2);
            VectorOps.mulRef(n, x, 1, y, 0, z2, 2);
            assertArrayEquals(z2, z, "mul n=" + n);

            int rows = 5, ld = n + 3;
            float[] m = random(5, 2 + rows * ld), m2 = m.clone(), v = random(6, n);
            VectorOps.addRowVector(rows, n, v, 0, m, 2, ld);
            VectorOps.addRowVectorRef(rows, n, v, 0, m2, 2, ld);
            assertArrayEquals(m2, m, "addRowVector n=" + n);

            float[] out = random(7, n + 1), out2 = out.clone();
            VectorOps.sumRows(rows, n, m, 2, ld, 0.5f, out, 1);
            VectorOps.sumRowsRef(rows, n, m, 2, ld, 0.5f, out2, 1);
            assertArrayEquals(out2, out, "sumRows n=" + n);
        }
    }

    @Test
    void sumRowsKnownAnswer() {
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] out = {9, 9};
        VectorOps.sumRows(3, 2, x, 0, 2, 0f, out, 0);
        assertArrayEquals(new float[] {9, 12}, out);
    }

    @Test
    void shortArraysAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VectorOps.axpy(10, 1f, new float[5], 0, new float[10], 0));
        assertEquals("axpy: x needs 10 floats from offset 0 but has length 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VectorOps.sumRows(3, 4, new float[11], 0, 4, 0f, new float[4], 0));
        assertThrows(IllegalArgumentException.class, () -> VectorOps.addRowVector(2, 4, new float[4], 0, new float[8], 0, 3));
    }

    @Test
    void simdFollowsTheProperty() {
        // the scalar-loops surefire run sets nabla.simd=off; every other run leaves it to the JVM check
        assertEquals(!"off".equals(System.getProperty("nabla.simd")), Simd.ON);
    }
}
