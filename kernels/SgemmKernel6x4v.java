package kernels;

import static kernels.SgemmTile.L;
import static kernels.SgemmTile.S;

import jdk.incubator.vector.FloatVector;

/**
 * A GEMM micro-kernel with a 6 × 4-vector register tile (24 accumulators, for 512-bit vectors and 32 registers).
 *
 * <p>For one kc-long slice it computes {@code acc = Σ_p a[:,p] ⊗ b[p,:]} from a packed A
 * micro-panel (MR floats per p) and a packed B micro-panel (NR floats per p), keeping the
 * accumulators in registers, and stores them as MR rows of NR floats, {@code ldo} apart, into
 * {@code out} at {@code o0}: the scratch tile, which {@link SgemmTile#fold} then adds into C, or C
 * itself where the tile is C exactly (see {@link SgemmBlocked}). Written out by hand so that the vectors stay
 * locals of this one method (JDK 17 boxes vectors that cross a call), and kept to the loop and
 * one store a vector so that C1 can compile it: C1 does not intrinsify the Vector API, and a
 * method it cannot compile at tier 3 may be left at tier 2, unintrinsified, for the whole run
 * (docs/benchmarks.md, "Every run as fast as the benchmark").
 */
final class SgemmKernel6x4v {
    static final int MR = 6;
    static final int NR = 4 * L;

    private SgemmKernel6x4v() {}

    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0, float[] out, int o0, int ldo) {
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
        // out[o0 + r·ldo + j] = the accumulators of row r
        c00.intoArray(out, o0 + 0 * ldo + 0 * L);
        c01.intoArray(out, o0 + 0 * ldo + 1 * L);
        c02.intoArray(out, o0 + 0 * ldo + 2 * L);
        c03.intoArray(out, o0 + 0 * ldo + 3 * L);
        c10.intoArray(out, o0 + 1 * ldo + 0 * L);
        c11.intoArray(out, o0 + 1 * ldo + 1 * L);
        c12.intoArray(out, o0 + 1 * ldo + 2 * L);
        c13.intoArray(out, o0 + 1 * ldo + 3 * L);
        c20.intoArray(out, o0 + 2 * ldo + 0 * L);
        c21.intoArray(out, o0 + 2 * ldo + 1 * L);
        c22.intoArray(out, o0 + 2 * ldo + 2 * L);
        c23.intoArray(out, o0 + 2 * ldo + 3 * L);
        c30.intoArray(out, o0 + 3 * ldo + 0 * L);
        c31.intoArray(out, o0 + 3 * ldo + 1 * L);
        c32.intoArray(out, o0 + 3 * ldo + 2 * L);
        c33.intoArray(out, o0 + 3 * ldo + 3 * L);
        c40.intoArray(out, o0 + 4 * ldo + 0 * L);
        c41.intoArray(out, o0 + 4 * ldo + 1 * L);
        c42.intoArray(out, o0 + 4 * ldo + 2 * L);
        c43.intoArray(out, o0 + 4 * ldo + 3 * L);
        c50.intoArray(out, o0 + 5 * ldo + 0 * L);
        c51.intoArray(out, o0 + 5 * ldo + 1 * L);
        c52.intoArray(out, o0 + 5 * ldo + 2 * L);
        c53.intoArray(out, o0 + 5 * ldo + 3 * L);
    }
}
