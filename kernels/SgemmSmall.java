package kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for a batch of one or two rows, where packing does not pay: vectorized along the
 * contiguous dimension, no buffers, one thread.
 * <ul>
 * <li>op(B) = B: each row of C is a sum of rows of B, {@code C[i,:] += alpha·op(A)(i,p)·B[p,:]}
 * (axpy along n);</li>
 * <li>op(B) = Bᵀ with op(A) = A: each element is a dot product of two contiguous rows.</li>
 * </ul>
 * Aᵀ·Bᵀ is not handled here (its A column is strided): {@link Sgemm} sends it to the blocked path.
 */
final class SgemmSmall {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SgemmSmall() {}

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (transA && transB) throw new IllegalArgumentException("SgemmSmall does not take Aᵀ·Bᵀ");
        if (!transB) {
            Sgemm.scaleC(m, n, beta, c, cOff, ldc);
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    // C[i,:] += (alpha·a_ip)·B[p,:]
                    float s = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                    int bp = bOff + p * ldb;
                    FloatVector sv = FloatVector.broadcast(S, s);
                    int j = 0;
                    for (; Simd.ON && j <= n - L; j += L) {
                        sv.fma(FloatVector.fromArray(S, b, bp + j), FloatVector.fromArray(S, c, ci + j))
                                .intoArray(c, ci + j);
                    }
                    for (; j < n; j++) c[ci + j] = Math.fma(s, b[bp + j], c[ci + j]);
                }
            }
            return;
        }
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * ldb;
                float dot = dot(a, aOff + i * lda, b, bj, k);
                // C_ij = alpha·(A_i · B_j) + beta·C_ij
                c[ci + j] = beta == 0f ? alpha * dot : alpha * dot + beta * c[ci + j];
            }
        }
    }

    private static float dot(float[] x, int x0, float[] y, int y0, int k) {
        int p = 0;
        float sum = 0f;
        if (Simd.ON) {
            FloatVector acc = FloatVector.zero(S);
            for (; p <= k - L; p += L) {
                acc = FloatVector.fromArray(S, x, x0 + p).fma(FloatVector.fromArray(S, y, y0 + p), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; p < k; p++) sum = Math.fma(x[x0 + p], y[y0 + p], sum);
        return sum;
    }
}
