package kernels;

import static kernels.SgemmTile.L;
import static kernels.SgemmTile.S;

import jdk.incubator.vector.FloatVector;

/**
 * A GEMM micro-kernel with a 6 × 2-vector register tile (12 accumulators, for 256-bit vectors and 16 registers).
 *
 * <p>For one kc-long slice it computes {@code acc = Σ_p a[:,p] ⊗ b[p,:]} from a packed A
 * micro-panel (MR floats per p) and a packed B micro-panel (NR floats per p), keeping the
 * accumulators in registers, and stores them into the MR×NR scratch tile {@code acc};
 * {@link SgemmTile#fold} then adds the tile into C. Written out by hand so that the vectors stay
 * locals of this one method (JDK 17 boxes vectors that cross a call), and kept to the loop and
 * one store a vector so that C1 can compile it: C1 does not intrinsify the Vector API, and a
 * method it cannot compile at tier 3 may be left at tier 2, unintrinsified, for the whole run
 * (docs/benchmarks.md, "Every run as fast as the benchmark").
 */
final class SgemmKernel6x2v {
    static final int MR = 6;
    static final int NR = 2 * L;

    private SgemmKernel6x2v() {}

    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0, float[] acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        // ia walks the A micro-panel (MR floats per p), ib the B micro-panel (NR floats per p);
        // a pointer-bump loop lets C2 hoist the range checks and keeps the index work minimal.
        int ib = pb0;
        for (int ia = pa0, end = pa0 + kc * MR; ia < end; ia += MR, ib += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, ib + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, pb, ib + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ia + 0]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ia + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ia + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ia + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ia + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ia + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        // acc[r, :] = the accumulators of row r (NR floats a row)
        c00.intoArray(acc, 0 * NR + 0 * L);
        c01.intoArray(acc, 0 * NR + 1 * L);
        c10.intoArray(acc, 1 * NR + 0 * L);
        c11.intoArray(acc, 1 * NR + 1 * L);
        c20.intoArray(acc, 2 * NR + 0 * L);
        c21.intoArray(acc, 2 * NR + 1 * L);
        c30.intoArray(acc, 3 * NR + 0 * L);
        c31.intoArray(acc, 3 * NR + 1 * L);
        c40.intoArray(acc, 4 * NR + 0 * L);
        c41.intoArray(acc, 4 * NR + 1 * L);
        c50.intoArray(acc, 5 * NR + 0 * L);
        c51.intoArray(acc, 5 * NR + 1 * L);
    }
}
