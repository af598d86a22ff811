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
        SgemmTile.kernel(kc, pa, pa0, pb, pb0, vector);
        SgemmKernelScalar.kernel(kc, pa, pa0, pb, pb0, scalar);
        for (int t = 0; t < vector.length; t++) {
            String at = SgemmTile.describe() + ", kc " + kc + ": row " + t / nr + ", column " + t % nr;
            assertEquals(Float.floatToRawIntBits(scalar[t]), Float.floatToRawIntBits(vector[t]), at);
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
