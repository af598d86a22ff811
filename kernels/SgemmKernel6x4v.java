package kernels;

import static kernels.SgemmTile.L;
import static kernels.SgemmTile.S;

import jdk.incubator.vector.FloatVector;

/**
 * A GEMM micro-kernel with a 6 × 4-vector register tile (24 accumulators, for 512-bit vectors and 32 registers).
 *
 * <p>For one kc-long slice it computes {@code acc = Σ_p a[:,p] ⊗ b[p,:]} from a packed A
 * micro-panel (MR floats per p) and a packed B micro-panel (NR floats per p), keeping the
 * accumulators in registers, then folds them into C:
 * {@code C = alpha·acc + beta·C} on the first k-block, {@code C = alpha·acc + C} after it
 * (beta = 0 never reads C, so NaN in C does not survive). Every element of C follows the
 * same sequence of operations wherever its tile lies, which is what makes results independent
 * of how threads split C. Written out by hand on purpose: the vectors must stay locals of this
 * one method, or JDK 17 boxes them.
 */
final class SgemmKernel6x4v {
    static final int MR = 6;
    static final int NR = 4 * L;

    private SgemmKernel6x4v() {}

    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0,
                       float alpha, float beta, boolean first, float[] c, int c0, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S), c13 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S), c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c42 = FloatVector.zero(S), c43 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        // ia walks the A micro-panel (MR floats per p), ib the B micro-panel (NR floats per p);
        // a pointer-bump loop lets C2 hoist the range checks and keeps the index work minimal.
        int ib = pb0;
        for (int ia = pa0, end = pa0 + kc * MR; ia < end; ia += MR, ib += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, ib + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, pb, ib + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, pb, ib + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, pb, ib + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ia + 0]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, pa[ia + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, pa[ia + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, pa[ia + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, pa[ia + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42); c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, pa[ia + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52); c53 = a5.fma(b3, c53);
        }
        FloatVector av = FloatVector.broadcast(S, alpha);
        int o;
        if (first && beta == 0f) {
            // C = alpha·acc (C is not read)
            o = c0 + 0 * ldc;
            c00.mul(av).intoArray(c, o + 0 * L);
            c01.mul(av).intoArray(c, o + 1 * L);
            c02.mul(av).intoArray(c, o + 2 * L);
            c03.mul(av).intoArray(c, o + 3 * L);
            o = c0 + 1 * ldc;
            c10.mul(av).intoArray(c, o + 0 * L);
            c11.mul(av).intoArray(c, o + 1 * L);
            c12.mul(av).intoArray(c, o + 2 * L);
            c13.mul(av).intoArray(c, o + 3 * L);
            o = c0 + 2 * ldc;
            c20.mul(av).intoArray(c, o + 0 * L);
            c21.mul(av).intoArray(c, o + 1 * L);
            c22.mul(av).intoArray(c, o + 2 * L);
            c23.mul(av).intoArray(c, o + 3 * L);
            o = c0 + 3 * ldc;
            c30.mul(av).intoArray(c, o + 0 * L);
            c31.mul(av).intoArray(c, o + 1 * L);
            c32.mul(av).intoArray(c, o + 2 * L);
            c33.mul(av).intoArray(c, o + 3 * L);
            o = c0 + 4 * ldc;
            c40.mul(av).intoArray(c, o + 0 * L);
            c41.mul(av).intoArray(c, o + 1 * L);
            c42.mul(av).intoArray(c, o + 2 * L);
            c43.mul(av).intoArray(c, o + 3 * L);
            o = c0 + 5 * ldc;
            c50.mul(av).intoArray(c, o + 0 * L);
            c51.mul(av).intoArray(c, o + 1 * L);
            c52.mul(av).intoArray(c, o + 2 * L);
            c53.mul(av).intoArray(c, o + 3 * L);
        } else if (first) {
            // C = alpha·acc + beta·C
            FloatVector bv = FloatVector.broadcast(S, beta);
            o = c0 + 0 * ldc;
            c00.fma(av, FloatVector.fromArray(S, c, o + 0 * L).mul(bv)).intoArray(c, o + 0 * L);
            c01.fma(av, FloatVector.fromArray(S, c, o + 1 * L).mul(bv)).intoArray(c, o + 1 * L);
            c02.fma(av, FloatVector.fromArray(S, c, o + 2 * L).mul(bv)).intoArray(c, o + 2 * L);
            c03.fma(av, FloatVector.fromArray(S, c, o + 3 * L).mul(bv)).intoArray(c, o + 3 * L);
            o = c0 + 1 * ldc;
            c10.fma(av, FloatVector.fromArray(S, c, o + 0 * L).mul(bv)).intoArray(c, o + 0 * L);
            c11.fma(av, FloatVector.fromArray(S, c, o + 1 * L).mul(bv)).intoArray(c, o + 1 * L);
            c12.fma(av, FloatVector.fromArray(S, c, o + 2 * L).mul(bv)).intoArray(c, o + 2 * L);
            c13.fma(av, FloatVector.fromArray(S, c, o + 3 * L).mul(bv)).intoArray(c, o + 3 * L);
            o = c0 + 2 * ldc;
            c20.fma(av, FloatVector.fromArray(S, c, o + 0 * L).mul(bv)).intoArray(c, o + 0 * L);
            c21.fma(av, FloatVector.fromArray(S, c, o + 1 * L).mul(bv)).intoArray(c, o + 1 * L);
            c22.fma(av, FloatVector.fromArray(S, c, o + 2 * L).mul(bv)).intoArray(c, o + 2 * L);
            c23.fma(av, FloatVector.fromArray(S, c, o + 3 * L).mul(bv)).intoArray(c, o + 3 * L);
            o = c0 + 3 * ldc;
            c30.fma(av, FloatVector.fromArray(S, c, o + 0 * L).mul(bv)).intoArray(c, o + 0 * L);
            c31.fma(av, FloatVector.fromArray(S, c, o + 1 * L).mul(bv)).intoArray(c, o + 1 * L);
            c32.fma(av, FloatVector.fromArray(S, c, o + 2 * L).mul(bv)).intoArray(c, o + 2 * L);
            c33.fma(av, FloatVector.fromArray(S, c, o + 3 * L).mul(bv)).intoArray(c, o + 3 * L);
            o = c0 + 4 * ldc;
            c40.fma(av, FloatVector.fromArray(S, c, o + 0 * L).mul(bv)).intoArray(c, o + 0 * L);
            c41.fma(av, FloatVector.fromArray(S, c, o + 1 * L).mul(bv)).intoArray(c, o + 1 * L);
            c42.fma(av, FloatVector.fromArray(S, c, o + 2 * L).mul(bv)).intoArray(c, o + 2 * L);
            c43.fma(av, FloatVector.fromArray(S, c, o + 3 * L).mul(bv)).intoArray(c, o + 3 * L);
            o = c0 + 5 * ldc;
            c50.fma(av, FloatVector.fromArray(S, c, o + 0 * L).mul(bv)).intoArray(c, o + 0 * L);
            c51.fma(av, FloatVector.fromArray(S, c, o + 1 * L).mul(bv)).intoArray(c, o + 1 * L);
            c52.fma(av, FloatVector.fromArray(S, c, o + 2 * L).mul(bv)).intoArray(c, o + 2 * L);
            c53.fma(av, FloatVector.fromArray(S, c, o + 3 * L).mul(bv)).intoArray(c, o + 3 * L);
        } else {
            // C = alpha·acc + C
            o = c0 + 0 * ldc;
            c00.fma(av, FloatVector.fromArray(S, c, o + 0 * L)).intoArray(c, o + 0 * L);
            c01.fma(av, FloatVector.fromArray(S, c, o + 1 * L)).intoArray(c, o + 1 * L);
            c02.fma(av, FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
            c03.fma(av, FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
            o = c0 + 1 * ldc;
            c10.fma(av, FloatVector.fromArray(S, c, o + 0 * L)).intoArray(c, o + 0 * L);
            c11.fma(av, FloatVector.fromArray(S, c, o + 1 * L)).intoArray(c, o + 1 * L);
            c12.fma(av, FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
            c13.fma(av, FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
            o = c0 + 2 * ldc;
            c20.fma(av, FloatVector.fromArray(S, c, o + 0 * L)).intoArray(c, o + 0 * L);
            c21.fma(av, FloatVector.fromArray(S, c, o + 1 * L)).intoArray(c, o + 1 * L);
            c22.fma(av, FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
            c23.fma(av, FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
            o = c0 + 3 * ldc;
            c30.fma(av, FloatVector.fromArray(S, c, o + 0 * L)).intoArray(c, o + 0 * L);
            c31.fma(av, FloatVector.fromArray(S, c, o + 1 * L)).intoArray(c, o + 1 * L);
            c32.fma(av, FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
            c33.fma(av, FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
            o = c0 + 4 * ldc;
            c40.fma(av, FloatVector.fromArray(S, c, o + 0 * L)).intoArray(c, o + 0 * L);
            c41.fma(av, FloatVector.fromArray(S, c, o + 1 * L)).intoArray(c, o + 1 * L);
            c42.fma(av, FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
            c43.fma(av, FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
            o = c0 + 5 * ldc;
            c50.fma(av, FloatVector.fromArray(S, c, o + 0 * L)).intoArray(c, o + 0 * L);
            c51.fma(av, FloatVector.fromArray(S, c, o + 1 * L)).intoArray(c, o + 1 * L);
            c52.fma(av, FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
            c53.fma(av, FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
        }
    }
}
