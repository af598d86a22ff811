package kernels;

import static kernels.SgemmTile.MR;
import static kernels.SgemmTile.NR;

/**
 * The micro-kernel in plain Java, for a JVM without C2 ({@link Simd}): the same MR×NR tile and
 * packed panels as the vector kernels, and each element accumulated by the same fused
 * multiply-adds in the same order as its vector lane, so the results are bitwise the same.
 * It walks the tile four columns at a time with the 6×4 accumulators in locals, which C1 keeps
 * in registers (an accumulator array would cost a load, a range check and a store per FMA).
 */
final class SgemmKernelScalar {
    private SgemmKernelScalar() {}

    static void kernel(int kc, float[] pa, int pa0, float[] pb, int pb0, float[] acc) {
        for (int j = 0; j < NR; j += 4) {
            float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
            float c30 = 0, c31 = 0, c32 = 0, c33 = 0, c40 = 0, c41 = 0, c42 = 0, c43 = 0, c50 = 0, c51 = 0, c52 = 0, c53 = 0;
            for (int ia = pa0, ib = pb0 + j, end = pa0 + kc * MR; ia < end; ia += MR, ib += NR) {
                float b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
                // c[r, j] = a[r, p]·b[p, j] + c[r, j]
                float a = pa[ia];
                c00 = Math.fma(a, b0, c00); c01 = Math.fma(a, b1, c01); c02 = Math.fma(a, b2, c02); c03 = Math.fma(a, b3, c03);
                a = pa[ia + 1];
                c10 = Math.fma(a, b0, c10); c11 = Math.fma(a, b1, c11); c12 = Math.fma(a, b2, c12); c13 = Math.fma(a, b3, c13);
                a = pa[ia + 2];
                c20 = Math.fma(a, b0, c20); c21 = Math.fma(a, b1, c21); c22 = Math.fma(a, b2, c22); c23 = Math.fma(a, b3, c23);
                a = pa[ia + 3];
                c30 = Math.fma(a, b0, c30); c31 = Math.fma(a, b1, c31); c32 = Math.fma(a, b2, c32); c33 = Math.fma(a, b3, c33);
                a = pa[ia + 4];
                c40 = Math.fma(a, b0, c40); c41 = Math.fma(a, b1, c41); c42 = Math.fma(a, b2, c42); c43 = Math.fma(a, b3, c43);
                a = pa[ia + 5];
                c50 = Math.fma(a, b0, c50); c51 = Math.fma(a, b1, c51); c52 = Math.fma(a, b2, c52); c53 = Math.fma(a, b3, c53);
            }
            store(acc, 0, j, c00, c01, c02, c03);
            store(acc, 1, j, c10, c11, c12, c13);
            store(acc, 2, j, c20, c21, c22, c23);
            store(acc, 3, j, c30, c31, c32, c33);
            store(acc, 4, j, c40, c41, c42, c43);
            store(acc, 5, j, c50, c51, c52, c53);
        }
    }

    private static void store(float[] acc, int r, int j, float c0, float c1, float c2, float c3) {
        int t = r * NR + j;
        acc[t] = c0;
        acc[t + 1] = c1;
        acc[t + 2] = c2;
        acc[t + 3] = c3;
    }
}
