package kernels;

import static kernels.SgemmTile.L;
import static kernels.SgemmTile.S;

import jdk.incubator.vector.FloatVector;

/**
 * A GEMM micro-kernel with a 4 × 2-vector register tile (8 accumulators), for 256-bit vectors and 16 registers.
 *
 * <p>For one kc-long slice it computes {@code acc = Σ_p a[:,p] ⊗ b[p,:]} from a packed A
 * micro-panel (MR floats per p) and a packed B micro-panel (NR floats per p), keeping the
 * accumulators in registers, and stores them as MR rows of NR floats, {@code ldo} apart, into
 * {@code out} at {@code o0}: the scratch tile, which {@link SgemmTile#fold} then adds into C, or C
 * itself where the tile is C exactly (see {@link SgemmBlocked}). Written out by hand so that the vectors stay
 * locals of this one method (JDK 17 boxes vectors that cross a call), and kept to the loop and
 * one store a vector so that C1 can compile it (docs/benchmarks.md, "Every run as fast as the benchmark").
 *
 * <p>Why 4 rows and not 6: with 12 accumulators, 2 B vectors and the A broadcasts, C2 has 15 of
 * the 16 registers spoken for, and how it allocates them varied from JVM to JVM: some runs moved
 * accumulators through other registers and the stack on every iteration, and trained 1.7x slower
 * for their whole length. 8 + 2 + 4 leaves room, and the one loop counter p, with both indexes
 * p·2^k plus a constant, lets C2 take every range check out of the loop: every JVM gets the same
 * 28-instruction loop (docs/benchmarks.md, "Two speeds per JVM").
 */
final class SgemmKernel4x2v {
    static final int MR = 4;
    static final int NR = 2 * L;

    private SgemmKernel4x2v() {}

    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0, float[] out, int o0, int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // A micro-panel: MR floats per p; B micro-panel: NR floats per p
            int ia = pa0 + p * MR, ib = pb0 + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, ib + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, pb, ib + 1 * L);
            // c[r, :] = a[r, p]·b[p, :] + c[r, :]
            FloatVector a0 = FloatVector.broadcast(S, pa[ia + 0]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ia + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ia + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ia + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        }
        // out[o0 + r·ldo + j] = the accumulators of row r
        c00.intoArray(out, o0 + 0 * ldo + 0 * L);
        c01.intoArray(out, o0 + 0 * ldo + 1 * L);
        c10.intoArray(out, o0 + 1 * ldo + 0 * L);
        c11.intoArray(out, o0 + 1 * ldo + 1 * L);
        c20.intoArray(out, o0 + 2 * ldo + 0 * L);
        c21.intoArray(out, o0 + 2 * ldo + 1 * L);
        c30.intoArray(out, o0 + 3 * ldo + 0 * L);
        c31.intoArray(out, o0 + 3 * ldo + 1 * L);
    }
}
