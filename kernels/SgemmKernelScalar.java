package kernels;

import static kernels.SgemmTile.MR;
import static kernels.SgemmTile.NR;

/**
 * The micro-kernel in plain Java, for a JVM without C2 ({@link Simd}): the same MR×NR tile and
 * packed panels as the vector kernels, and each element accumulated by the same fused
 * multiply-adds in the same order as its vector lane, so the results are bitwise the same.
 * It walks the tile two rows and four columns at a time (MR is 4 or 6) with the 2×4 accumulators
 * in locals, which C1 keeps in registers (an accumulator array would cost a load, a range check
 * and a store per FMA).
 */
final class SgemmKernelScalar {
    private SgemmKernelScalar() {}

    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0, float[] out, int o0, int ldo) {
        for (int j = 0; j < NR; j += 4) {
            for (int r = 0; r < MR; r += 2) {
                float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
                for (int ia = pa0 + r, ib = pb0 + j, end = ia + kc * MR; ia < end; ia += MR, ib += NR) {
                    float b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
                    // c[r, j] = a[r, p]·b[p, j] + c[r, j]
                    float a = pa[ia];
                    c00 = Math.fma(a, b0, c00); c01 = Math.fma(a, b1, c01); c02 = Math.fma(a, b2, c02); c03 = Math.fma(a, b3, c03);
                    a = pa[ia + 1];
                    c10 = Math.fma(a, b0, c10); c11 = Math.fma(a, b1, c11); c12 = Math.fma(a, b2, c12); c13 = Math.fma(a, b3, c13);
                }
                store(out, o0 + r * ldo + j, c00, c01, c02, c03);
                store(out, o0 + (r + 1) * ldo + j, c10, c11, c12, c13);
            }
        }
    }

    private static void store(float[] out, int t, float c0, float c1, float c2, float c3) {
        out[t] = c0;
        out[t + 1] = c1;
        out[t + 2] = c2;
        out[t + 3] = c3;
    }
}
