package kernels;

/**
 * Single-precision matrix multiply, CBLAS row-major with array offsets:
 * {@code C = alpha·op(A)·op(B) + beta·C}, op(X) = X or Xᵀ, op(A) is m×k, op(B) is k×n, C is m×n.
 *
 * <p>BLAS conventions: beta = 0 overwrites C (NaN or garbage in C does not survive), m, n or k
 * may be 0, leading dimensions may exceed the row length. A stored matrix X with r rows of c
 * columns occupies {@code x[xOff + i·ldx + j]}; for op(A) = Aᵀ the stored A is k×m.
 *
 * <p>Variants: {@link #sgemm} picks the fast path ({@link SgemmBlocked}, or {@link SgemmSmall}
 * for one or two rows, where packing does not pay); {@link #ref} is the plain triple loop that tests
 * compare against. The choice depends on the sizes only, and each variant computes every element
 * of C the same way on any thread, so results never depend on the thread count.
 */
public final class Sgemm {
    static {
        Warmup.start(); // the first product starts the JIT's warm-up (once per JVM)
    }

    private Sgemm() {}

    /**
     * Products with at most this many rows skip packing: a batch of one or two rows reuses each
     * packed element of B once or twice, so packing B costs as much as the product itself
     * (docs/benchmarks.md, "SGEMM": the crossover measured).
     */
    static final int SMALL_MAX_ROWS = 2;

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        if (m <= SMALL_MAX_ROWS && !(transA && transB)) {
            SgemmSmall.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            SgemmBlocked.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /** The kernel this machine runs, e.g. "blocked, micro-kernel 4x16 (4x2v, 256-bit vectors)". */
    public static String describe() {
        return "blocked BLIS-style, " + SgemmTile.describe() + ", KC=" + SgemmBlocked.KC + " MC=" + SgemmBlocked.MC
                + " NC=" + SgemmBlocked.NC;
    }

    /** The reference: plain loops in float, obviously right. Same contract as {@link #sgemm}. */
    public static void ref(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += aip * bpj;
                }
                int ij = cOff + i * ldc + j;
                c[ij] = beta == 0f ? alpha * sum : alpha * sum + beta * c[ij];
            }
        }
    }

    /** C = beta·C, with beta = 0 writing zeros. */
    static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[row + j] *= beta;
            }
        }
    }

    /** Validates every argument; the message names the argument and by how much it is off. */
    static void check(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        // Stored shapes: A is m×k (k×m if transposed), B is k×n (n×k if transposed), C is m×n.
        checkMatrix("A", transA, transA ? k : m, transA ? m : k, a, aOff, lda, m, n, k);
        checkMatrix("B", transB, transB ? n : k, transB ? k : n, b, bOff, ldb, m, n, k);
        checkMatrix("C", false, m, n, c, cOff, ldc, m, n, k);
    }

    private static void checkMatrix(String name, boolean trans, int rows, int cols, float[] x, int off, int ld,
                                    int m, int n, int k) {
        // The messages are built only on failure: a valid call allocates nothing.
        if (x == null) throw new IllegalArgumentException("sgemm: array " + name + " is null" + where(name, trans, rows, cols, m, n, k));
        if (off < 0) throw new IllegalArgumentException("sgemm: " + name + " offset is negative: " + off + where(name, trans, rows, cols, m, n, k));
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: ld" + name.toLowerCase() + "=" + ld + " is smaller than the row length "
                    + cols + " by " + (Math.max(1, cols) - ld) + where(name, trans, rows, cols, m, n, k));
        }
        if (rows == 0 || cols == 0) return;
        long need = (long) off + (long) (rows - 1) * ld + cols;
        if (need > x.length) {
            throw new IllegalArgumentException("sgemm: array " + name + " has length " + x.length + ", too short by "
                    + (need - x.length) + " for offset " + off + " and ld" + name.toLowerCase() + "=" + ld
                    + where(name, trans, rows, cols, m, n, k));
        }
    }

    private static String where(String name, boolean trans, int rows, int cols, int m, int n, int k) {
        return " (" + name + (trans ? " transposed" : "") + ", stored " + rows + "x" + cols
                + ", m=" + m + " n=" + n + " k=" + k + ")";
    }
}
