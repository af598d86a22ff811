package kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast GEMM against its {@code ref} twin and against a double-precision oracle.
 *
 * <p>Tolerances. Let u = 2⁻²⁴ (float32 unit roundoff, ε/2) and M = max|a|·max|b|.
 * <ul>
 * <li>Rigorous: an inner product of k terms computed in float with any summation order, plus the
 * alpha and beta operations, is within γ_{k+2}·(|α|·Σ_p|a_ip·b_pj| + |β|·|c_ij|) of the exact
 * value, γ_n = n·u/(1 − n·u) (Higham, Accuracy and Stability, §3.1). Checked for every element
 * against the double oracle; it can never fail for a correct kernel, whatever the data.</li>
 * <li>The DESIGN form: |x − exact| ≤ c·ε·k·M with c = 1 (ε = 2u). With the random-sign data used
 * here the k rounding errors are independent, each at most u·|partial sum|, and a partial sum of p
 * terms is about √p·M/3, so the total is about u·M·k/√6 — c = 1 leaves a margin of ~5× above that.
 * Fast vs ref are two such computations, so their difference gets c = 2.</li>
 * </ul>
 */
class SgemmTest {
    private static final double U = Math.ulp(1f) / 2; // 2^-24
    private static final double EPS = Math.ulp(1f);    // 2^-23

    @AfterAll
    static void restoreThreads() {
        ThreadPool.setThreads(ThreadPool.configuredThreads());
    }

    record Shape(int m, int n, int k) {
        @Override public String toString() { return m + "x" + n + "x" + k; }
    }

    static Stream<Shape> awkwardShapes() {
        int mr = SgemmTile.MR, nr = SgemmTile.NR, mc = SgemmBlocked.MC, kc = SgemmBlocked.KC;
        List<Shape> s = new ArrayList<>(List.of(
                new Shape(1, 1, 1), new Shape(17, 33, 9), new Shape(2, 3, 4), new Shape(1, 300, 70), new Shape(2, 50, 700),
                new Shape(300, 1, 70), new Shape(70, 80, 1), new Shape(7, 5, 3000), new Shape(13, 70, 1500),
                new Shape(128, 256, 784), new Shape(130, 10, 128)));
        for (int d = -1; d <= 1; d++) {
            s.add(new Shape(mr + d, nr + d, 37));
            s.add(new Shape(mc + d, 2 * nr + d, 65));
            s.add(new Shape(20, 30, kc + d));
            s.add(new Shape(2 * mc + d, 3 * nr + d, 2 * kc + d));
        }
        s.add(new Shape(9, SgemmBlocked.NC + 1, 8));
        return s.stream();
    }

    /** Random matrices in [-1, 1) with a seed per case. */
    static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (2 * rnd.nextDouble() - 1);
        return x;
    }

    /** Runs fast (both paths) and ref on padded, offset storage and checks all bounds. */
    static void checkCase(Shape sh, boolean transA, boolean transB, float alpha, float beta, long seed) {
        int m = sh.m, n = sh.n, k = sh.k;
        SplittableRandom rnd = new SplittableRandom(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + 3, ldb = bCols + 1, ldc = n + 2, aOff = 5, bOff = 2, cOff = 7;
        float[] a = random(rnd, aOff + Math.max(0, aRows * lda));
        float[] b = random(rnd, bOff + Math.max(0, bRows * ldb));
        float[] c0 = random(rnd, cOff + Math.max(0, m * ldc));
        float[] fast = c0.clone(), blocked = c0.clone(), small = c0.clone(), ref = c0.clone();
        Sgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, fast, cOff, ldc);
        Sgemm.ref(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, ref, cOff, ldc);
        if (m > 0 && n > 0 && k > 0) {
            SgemmBlocked.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, blocked, cOff, ldc);
            if (!(transA && transB)) {
                SgemmSmall.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, small, cOff, ldc);
            } else {
                small = ref;
            }
        } else {
            blocked = ref;
            small = ref;
        }
        double maxA = maxAbs(a), maxB = maxAbs(b);
        String tag = sh + (transA ? " Aᵀ" : " A") + (transB ? "·Bᵀ" : "·B") + " alpha=" + alpha + " beta=" + beta;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0, absSum = 0;
                for (int p = 0; p < k; p++) {
                    double x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    exact += x * y;
                    absSum += Math.abs(x * y);
                }
                int ij = cOff + i * ldc + j;
                exact = alpha * exact + (beta == 0f ? 0 : beta * (double) c0[ij]);
                double gamma = (k + 2) * U / (1 - (k + 2) * U);
                double rigorous = gamma * (Math.abs(alpha) * absSum + Math.abs(beta) * Math.abs(c0[ij]));
                double form = 1 * EPS * Math.max(k, 1) * maxA * maxB * Math.abs(alpha) + EPS * Math.abs(beta * c0[ij]);
                for (float[] got : new float[][] {fast, blocked, small, ref}) {
                    double err = Math.abs(got[ij] - exact);
                    if (err > rigorous || err > form) {
                        fail(tag + ": C[" + i + "][" + j + "] = " + got[ij] + ", exact " + exact + ", error " + err
                                + " > bound " + Math.min(rigorous, form));
                    }
                }
                double diff = Math.abs(fast[ij] - ref[ij]);
                assertTrue(diff <= 2 * form, tag + ": fast vs ref differ by " + diff + " at " + i + "," + j);
            }
        }
        // Padding between rows and around the matrix is never written.
        for (int i = 0; i < c0.length; i++) {
            boolean inside = i >= cOff && (i - cOff) / ldc < m && (i - cOff) % ldc < n;
            if (!inside) assertEquals(c0[i], fast[i], 0f, tag + ": wrote outside C at index " + i);
        }
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awkwardShapes")
    void allTransposeCasesMatchRefAndOracle(Shape sh) {
        long seed = 31L * sh.m + 17L * sh.n + sh.k;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                checkCase(sh, ta, tb, 1f, 0f, seed);
                checkCase(sh, ta, tb, -0.75f, 1.5f, seed + 1);
            }
        }
    }

    @Test
    void exactSizedArraysAreNeverReadPastTheirEnd() {
        // No padding anywhere: packing that reads a whole vector near the end of A or B must stop in time.
        for (Shape sh : List.of(new Shape(6, 16, 5), new Shape(7, 17, 300), new Shape(12, 9, 513), new Shape(170, 33, 20))) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    SplittableRandom rnd = new SplittableRandom(5);
                    float[] a = random(rnd, sh.m * sh.k), b = random(rnd, sh.k * sh.n);
                    float[] c = new float[sh.m * sh.n], r = new float[sh.m * sh.n];
                    int lda = ta ? sh.m : sh.k, ldb = tb ? sh.k : sh.n;
                    Sgemm.sgemm(ta, tb, sh.m, sh.n, sh.k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, sh.n);
                    Sgemm.ref(ta, tb, sh.m, sh.n, sh.k, 1f, a, 0, lda, b, 0, ldb, 0f, r, 0, sh.n);
                    double bound = EPS * sh.k * maxAbs(a) * maxAbs(b) * 2; // fast vs ref, c = 2 (class comment)
                    for (int i = 0; i < c.length; i++) assertEquals(r[i], c[i], bound, sh + " ta=" + ta + " tb=" + tb);
                }
            }
        }
    }

    @Test
    void zeroSizedDimensionsAreLegal() {
        for (Shape sh : List.of(new Shape(0, 5, 3), new Shape(4, 0, 3), new Shape(4, 5, 0), new Shape(0, 0, 0))) {
            checkCase(sh, false, false, 1f, 0.5f, 1);
            checkCase(sh, true, true, 2f, 0f, 2);
        }
        // k = 0: C = beta·C, and beta = 0 writes zeros.
        float[] c = {1, 2, 3, 4};
        Sgemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2}, c);
        Sgemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[4], c);
    }

    @Test
    void betaZeroOverwritesNaN() {
        for (int size : new int[] {3, 40, 100}) {
            SplittableRandom rnd = new SplittableRandom(size);
            float[] a = random(rnd, size * size), b = random(rnd, size * size);
            float[] c = new float[size * size];
            Arrays.fill(c, Float.NaN);
            Sgemm.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
            for (float v : c) assertTrue(Float.isFinite(v), "NaN survived beta = 0 at size " + size);
        }
    }

    @Test
    void matchesCommonsMathInDouble() {
        SplittableRandom rnd = new SplittableRandom(7);
        int m = 37, n = 91, k = 129;
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
        Sgemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        RealMatrix product = toMatrix(a, m, k).multiply(toMatrix(b, k, n));
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // the DESIGN form, c = 1 (see the class comment)
                assertEquals(product.getEntry(i, j), c[i * n + j], EPS * k * maxAbs(a) * maxAbs(b));
            }
        }
    }

    static RealMatrix toMatrix(float[] x, int rows, int cols) {
        double[][] d = new double[rows][cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) d[i][j] = x[i * cols + j];
        return new Array2DRowRealMatrix(d, false);
    }

    /**
     * Shapes that take the threaded blocked path, split by columns, by rows and (from 4 threads) both; from 4 parts
     * the small ones pack together (SgemmBlocked.sharesPacking). With alpha 1 and beta 0 the kernel stores full tiles
     * of the first k-block straight into C, the other pair goes through the fold.
     */
    @Test
    void bitwiseIdenticalForAnyThreadCount() {
        Shape[] shapes = {new Shape(200, 300, 150), new Shape(301, 97, 600), new Shape(128, 256, 784), new Shape(97, 1100, 64)};
        for (Shape sh : shapes) assertSameBitsForAnyThreadCount(sh, 1, 2, 3, 4, 7, 16);
    }

    /** The product in all four transposes, two (alpha, beta) pairs, gives the same bits on each of {@code threads} as on the first. */
    static void assertSameBitsForAnyThreadCount(Shape sh, int... threads) {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (float[] ab : new float[][] {{0.5f, 0.25f}, {1f, 0f}}) {
                    float[] first = null;
                    for (int t : threads) {
                        ThreadPool.setThreads(t);
                        float[] c = product(sh, ta, tb, ab[0], ab[1], 99);
                        if (first == null) first = c;
                        else assertArrayEquals(first, c, sh + " ta=" + ta + " tb=" + tb + " alpha=" + ab[0] + " beta=" + ab[1] + ": "
                                + t + " threads differ from " + threads[0]);
                    }
                }
            }
        }
    }

    static float[] product(Shape sh, boolean ta, boolean tb, float alpha, float beta, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = random(rnd, sh.m * sh.k), b = random(rnd, sh.k * sh.n), c = random(rnd, sh.m * sh.n);
        Sgemm.sgemm(ta, tb, sh.m, sh.n, sh.k, alpha, a, 0, ta ? sh.m : sh.k, b, 0, tb ? sh.k : sh.n, beta, c, 0, sh.n);
        return c;
    }

    @Test
    void badArgumentsSayWhichAndByHowMuch() {
        float[] a = new float[12], b = new float[12], c = new float[12];
        assertMessage(() -> Sgemm.sgemm(false, false, -1, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3), "m=-1");
        assertMessage(() -> Sgemm.sgemm(false, false, 3, 3, 4, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 3),
                "lda=3 is smaller than the row length 4 by 1");
        assertMessage(() -> Sgemm.sgemm(false, false, 3, 3, 4, 1f, a, 0, 4, new float[9], 0, 3, 0f, c, 0, 3),
                "array B has length 9, too short by 3");
        assertMessage(() -> Sgemm.sgemm(false, false, 3, 3, 4, 1f, a, 1, 4, new float[15], 0, 3, 0f, c, 0, 3),
                "array A has length 12, too short by 1");
        assertMessage(() -> Sgemm.sgemm(true, false, 3, 3, 4, 1f, a, 0, 2, new float[15], 0, 3, 0f, c, 0, 3),
                "lda=2 is smaller than the row length 3 by 1");
        assertMessage(() -> Sgemm.sgemm(false, true, 3, 3, 4, 1f, a, 0, 4, b, 0, 4, 0f, c, 0, 2),
                "ldc=2 is smaller than the row length 3 by 1");
        assertMessage(() -> Sgemm.sgemm(false, false, 3, 3, 4, 1f, a, -1, 4, b, 0, 3, 0f, c, 0, 3), "offset is negative");
        assertMessage(() -> Sgemm.ref(false, false, 3, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, new float[8], 0, 3),
                "array C has length 8, too short by 1");
    }

    static void assertMessage(Runnable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
