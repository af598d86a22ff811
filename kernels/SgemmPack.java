package kernels;

import static kernels.SgemmTile.L;
import static kernels.SgemmTile.MR;
import static kernels.SgemmTile.NR;
import static kernels.SgemmTile.S;

import jdk.incubator.vector.FloatVector;

/**
 * Packing for the blocked GEMM: copies a block of op(A) into MR-row micro-panels and a block of
 * op(B) into NR-column micro-panels, k-major and zero-padded, so that the micro-kernel reads both
 * with unit stride. Transposes live here and nowhere else: the micro-kernel is the same for all
 * four cases.
 */
final class SgemmPack {
    private SgemmPack() {}

    /**
     * Packs op(A)[i0 .. i0+mc, p0 .. p0+kc) into {@code dst} from {@code dOff}: micro-panel q holds
     * rows i0 + q·MR .. +MR as {@code dst[dOff + q·MR·depth + p·MR + r]}, rows past mc are zero. The
     * panels' depth is kc, or more where several calls pack a k-block's panels a range of p each.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, float[] dst, int dOff, int depth) {
        // one method per case: each keeps its own profile, and its loop compiles as it does alone
        if (transA) packAColumns(a, aOff, lda, i0, mc, p0, kc, dst, dOff, depth);
        else packARows(a, aOff, lda, i0, mc, p0, kc, dst, dOff, depth);
    }

    /** op(A)(i, p) = a[i·lda + p]: each of the MR rows read along p, its floats written MR apart. */
    private static void packARows(float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, float[] dst, int dOff, int depth) {
        for (int q = 0, d0 = dOff; q < mc; q += MR, d0 += MR * depth) {
            int mr = Math.min(MR, mc - q);
            for (int r = 0; r < mr; r++) {
                int src = aOff + (i0 + q + r) * lda + p0, d = d0 + r;
                // one loop counter, both indexes linear in it: the form whose range checks C2 can hoist
                for (int p = 0; p < kc; p++) dst[d + p * MR] = a[src + p];
            }
            for (int r = mr; r < MR; r++) {
                for (int p = 0; p < kc; p++) dst[d0 + r + p * MR] = 0f;
            }
        }
    }

    /** op(A)(i, p) = a[p·lda + i]: MR consecutive floats per p. */
    private static void packAColumns(float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, float[] dst, int dOff, int depth) {
        for (int q = 0, d0 = dOff; q < mc; q += MR, d0 += MR * depth) {
            int mr = Math.min(MR, mc - q);
            int p = 0;
            if (Simd.ON && mr == MR && MR <= L) {
                // One vector per p: it carries the MR floats and L − MR extra ones, which later p's
                // stores overwrite. Vector stores stop while p·MR + L still fits this call's kc
                // (another thread may be packing the panel's next p's), vector loads while they stay
                // inside a; the last few p go scalar.
                int lastStore = kc - (L + MR - 1) / MR + 1;
                int lastLoad = Math.floorDiv(a.length - L - aOff - i0 - q, lda) - p0 + 1;
                int last = Math.min(lastStore, lastLoad);
                for (int src = aOff + p0 * lda + i0 + q, d = d0; p < last; p++, src += lda, d += MR) {
                    FloatVector.fromArray(S, a, src).intoArray(dst, d);
                }
            }
            for (; p < kc; p++) {
                int src = aOff + (p0 + p) * lda + i0 + q;
                int d = d0 + p * MR;
                for (int r = 0; r < mr; r++) dst[d + r] = a[src + r];
                for (int r = mr; r < MR; r++) dst[d + r] = 0f;
            }
        }
    }

    /**
     * Packs op(B)[p0 .. p0+kc, j0 .. j0+nc) into {@code dst} from {@code dOff}: micro-panel q holds
     * columns j0 + q·NR .. +NR as {@code dst[dOff + q·NR·depth + p·NR + j]}, columns past nc are zero
     * (depth as for A).
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, float[] dst, int dOff, int depth) {
        // one method per case, as for A
        if (transB) packBColumns(b, bOff, ldb, p0, kc, j0, nc, dst, dOff, depth);
        else packBRows(b, bOff, ldb, p0, kc, j0, nc, dst, dOff, depth);
    }

    /** op(B)(p, j) = b[p·ldb + j]: one row of NR floats per p, vector copies. */
    private static void packBRows(float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, float[] dst, int dOff, int depth) {
        for (int q = 0, d0 = dOff; q < nc; q += NR, d0 += NR * depth) {
            int nr = Math.min(NR, nc - q);
            for (int p = 0; p < kc; p++) {
                int src = bOff + (p0 + p) * ldb + j0 + q;
                int d = d0 + p * NR;
                if (nr == NR && Simd.ON) {
                    for (int v = 0; v < NR; v += L) FloatVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                } else if (nr == NR) {
                    System.arraycopy(b, src, dst, d, NR);
                } else {
                    for (int j = 0; j < nr; j++) dst[d + j] = b[src + j];
                    for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                }
            }
        }
    }

    /** op(B)(p, j) = b[j·ldb + p]: each stored row read along p, its floats written NR apart (a column). */
    private static void packBColumns(float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, float[] dst, int dOff, int depth) {
        for (int q = 0, d0 = dOff; q < nc; q += NR, d0 += NR * depth) {
            int nr = Math.min(NR, nc - q);
            for (int j = 0; j < nr; j++) {
                int src = bOff + (j0 + q + j) * ldb + p0, d = d0 + j;
                // one loop counter, as in packARows
                for (int p = 0; p < kc; p++) dst[d + p * NR] = b[src + p];
            }
            for (int j = nr; j < NR; j++) {
                for (int p = 0; p < kc; p++) dst[d0 + j + p * NR] = 0f;
            }
        }
    }
}
