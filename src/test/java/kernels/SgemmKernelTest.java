package kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector micro-kernel of this run's tile against its scalar twin, on the same packed panels:
 * bit for bit, since each element gets the same fused multiply-adds in the same order in both.
 * The default test run checks AVX2's 4×2v tile (on an AVX2 machine), the pom's {@code wide-tile}
 * run the 6×4v one (MR = 6, so the scalar kernel's row pairs are checked for both MRs). The panels
 * start at an offset and are followed by NaN so that a read outside the slice would show.
 */
class SgemmKernelTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 272, 513})
    void vectorKernelMatchesScalarKernelBitForBit(int kc) {
        int mr = SgemmTile.MR, nr = SgemmTile.NR, pa0 = 3 * mr, pb0 = 2 * nr;
        SplittableRandom rnd = new SplittableRandom(kc);
        float[] pa = panel(rnd, pa0, kc * mr), pb = panel(rnd, pb0, kc * nr);
        float[] vector = new float[mr * nr], scalar = new float[mr * nr];
        SgemmTile.kernel(kc, pa, pa0, pb, pb0, vector, 0, nr);
        SgemmKernelScalar.kernel(kc, pa, pa0, pb, pb0, scalar, 0, nr);
        for (int t = 0; t < vector.length; t++) {
            String at = SgemmTile.describe() + ", kc " + kc + ": row " + t / nr + ", column " + t % nr;
            assertEquals(Float.floatToRawIntBits(scalar[t]), Float.floatToRawIntBits(vector[t]), at);
        }
    }

    /**
     * Stored straight into C (rows {@code ldo} apart, at an offset), as SgemmBlocked does where
     * alpha is 1 and beta 0: the same bits as the scratch tile in the MR×NR corner, and nothing
     * else of C touched.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 37})
    void kernelStoresRowsIntoCAtItsLeadingDimension(int kc) {
        int mr = SgemmTile.MR, nr = SgemmTile.NR, ldo = nr + 5, o0 = 2 * ldo + 3;
        SplittableRandom rnd = new SplittableRandom(kc);
        float[] pa = panel(rnd, 0, kc * mr), pb = panel(rnd, 0, kc * nr);
        float[] tile = new float[mr * nr], c = new float[o0 + mr * ldo];
        Arrays.fill(c, -7f);
        SgemmTile.kernel(kc, pa, 0, pb, 0, tile, 0, nr);
        SgemmTile.kernel(kc, pa, 0, pb, 0, c, o0, ldo);
        for (int i = 0; i < c.length; i++) {
            int r = (i - o0) / ldo, j = (i - o0) % ldo;
            boolean inTile = i >= o0 && r < mr && j < nr;
            float want = inTile ? tile[r * nr + j] : -7f;
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(c[i]), "C[" + i + "], kc " + kc);
        }
    }

    /** Random floats in [-1, 1) at [off, off + len), NaN before and after. */
    private static float[] panel(SplittableRandom rnd, int off, int len) {
        float[] x = new float[off + len + 64];
        Arrays.fill(x, Float.NaN);
        for (int i = off; i < off + len; i++) x[i] = (float) (2 * rnd.nextDouble() - 1);
        return x;
    }
}
