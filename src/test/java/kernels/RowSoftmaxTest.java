package kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The row softmax and log-sum-exp against their Ref twins (double, from the definition) on row
 * lengths around and away from anything special, and on rows that overflow without the shift.
 *
 * <p>Tolerance, softmax (u = 2^-24): the float difference z_j − max is rounded, an absolute error
 * of |z_j − max|·u in the exponent and so a relative error of as much in e^{z_j − max}; exp itself
 * adds 2 ulp (Cephes' expf); their float sum, all terms positive, is within (k − 1)·u relative of
 * the exact sum of those; 1/Σ and the product add one rounding each. So y_j is within
 * (k + 5 + |z_j − max|)·u relative, plus 2e-38 absolute where exp is clamped at e^-87 instead of
 * going subnormal. Log-sum-exp: log of a sum with relative error
 * (k + 1)·u is off by (k + 1)·u absolutely, plus one rounding of the result.
 */
class RowSoftmaxTest {
    private static final double U = Math.ulp(1f) / 2;

    @Test
    void softmaxAndLogSumExpAgainstRef() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int k : new int[] {1, 2, 3, 7, 10, 17, 64, 100, 1001}) {
            for (double scale : new double[] {1, 30, 1000}) {
                int off = 3;
                float[] z = new float[off + k];
                for (int j = 0; j < k; j++) z[off + j] = (float) ((rng.nextDouble() * 2 - 1) * scale);
                check(z, off, k);
            }
        }
    }

    @Test
    void rowsThatOverflowWithoutTheShiftAndTiedRows() {
        check(new float[] {1000f, 1000f, 999f}, 0, 3);
        check(new float[] {-1000f, -1001f, -2000f, 0f}, 0, 4);
        check(new float[] {88.7f, -88.7f}, 0, 2);
        float[] same = new float[33];
        java.util.Arrays.fill(same, 5f);
        float[] y = new float[33];
        RowSoftmax.softmax(same, 0, RowSoftmax.max(same, 0, 33), y, 0, 33);
        for (float v : y) assertEquals(1f / 33, v, 2 * Math.ulp(1f / 33), "equal logits, equal shares");
    }

    private static void check(float[] z, int off, int k) {
        float[] y = new float[k + 2], ref = new float[k + 2];
        float max = RowSoftmax.max(z, off, k);
        float sum = RowSoftmax.softmax(z, off, max, y, 1, k);
        RowSoftmax.softmaxRef(z, off, ref, 1, k);
        double rel = (k + 5) * U;
        double total = 0;
        for (int j = 0; j < k; j++) {
            double tol = (rel + Math.abs(z[off + j] - max) * U) * Math.abs(ref[1 + j]) + 2e-38;
            assertTrue(Math.abs(y[1 + j] - ref[1 + j]) <= tol, "k " + k + " j " + j + ": " + y[1 + j] + " vs " + ref[1 + j]);
            total += y[1 + j];
        }
        assertEquals(1.0, total, rel + k * U, "a softmax row sums to 1");
        assertEquals(0f, y[0]);
        assertEquals(0f, y[k + 1], "writes only its row");
        double lse = RowSoftmax.logSumExp(max, sum), lseRef = RowSoftmax.logSumExpRef(z, off, k);
        assertEquals(lseRef, lse, (k + 1) * U + Math.ulp((float) lseRef), "log-sum-exp, k " + k);
        assertEquals(sum, RowSoftmax.sumExp(z, off, max, k), "the sum without the row is the same sum, bit for bit");
    }
}
