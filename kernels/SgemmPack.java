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
     * Packs op(A)[i0 .. i0+mc, p0 .. p0+kc) into {@code dst}: micro-panel q holds rows
     * i0 + q·MR .. +MR as {@code dst[q·MR·kc + p·MR + r]}, rows past mc are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, float[] dst) {
        for (int q = 0, d0 = 0; q < mc; q += MR, d0 += MR * kc) {
            int mr = Math.min(MR, mc - q);
            if (!transA) {
                // op(A)(i, p) = a[i·lda + p]: read MR rows, interleave them
                for (int r = 0; r < mr; r++) {
                    int src = aOff + (i0 + q + r) * lda + p0;
                    for (int p = 0, d = d0 + r; p < kc; p++, d += MR) dst[d] = a[src + p];
                }
            } else {
                // op(A)(i, p) = a[p·lda + i]: MR consecutive floats per p
                int p = 0;
                if (Simd.ON && mr == MR && MR <= L) {
                    // One vector per p: it carries the MR floats and L − MR extra ones, which later p's
                    // stores overwrite. Vector stores stop while p·MR + L still fits the panel, vector
                    // loads while they stay inside a; the last few p go scalar.
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
                }
            }
            if (mr < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int r = mr; r < MR; r++) dst[d0 + p * MR + r] = 0f;
                }
            }
        }
    }

    /**
     * Packs op(B)[p0 .. p0+kc, j0 .. j0+nc) into {@code dst}: micro-panel q holds columns
     * j0 + q·NR .. +NR as {@code dst[q·NR·kc + p·NR + j]}, columns past nc are zero.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, float[] dst) {
        for (int q = 0, d0 = 0; q < nc; q += NR, d0 += NR * kc) {
            int nr = Math.min(NR, nc - q);
            if (!transB && nr == NR) {
                // op(B)(p, j) = b[p·ldb + j]: one row of NR floats per p, vector copies
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + q;
                    int d = d0 + p * NR;
                    if (Simd.ON) {
                        for (int v = 0; v < NR; v += L) FloatVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                    } else {
                        System.arraycopy(b, src, dst, d, NR);
                    }
                }
            } else if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + q;
                    int d = d0 + p * NR;
                    for (int j = 0; j < nr; j++) dst[d + j] = b[src + j];
                    for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                }
            } else {
                // op(B)(p, j) = b[j·ldb + p]: read each stored row along p, write a column
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (j0 + q + j) * ldb + p0;
                    for (int p = 0, d = d0 + j; p < kc; p++, d += NR) dst[d] = b[src + p];
                }
                for (int j = nr; j < NR; j++) {
                    for (int p = 0, d = d0 + j; p < kc; p++, d += NR) dst[d] = 0f;
                }
            }
        }
    }
}
