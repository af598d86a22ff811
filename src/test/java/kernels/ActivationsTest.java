package kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The activation kernels against their Ref twins (Math.exp, Math.tanh in double, rounded once).
 * Tolerances in ulps of the result: Cephes' expf is within ~2 ulp over its range; sigmoid adds one
 * addition and one division (≤ 1 ulp each, relative error does not grow since 1 + e^{−x} ≥ 1);
 * tanh's large branch 1 − 2/(e^{2|x|} + 1) loses nothing above |x| = 0.625, where tanh ≥ 0.55 —
 * so 4 ulp for all three, plus an absolute 1e-37 for subnormal sigmoid tails.
 */
class ActivationsTest {
    static float[] data(int n, float scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        return x;
    }

    static void assertUlps(float expected, float actual, int ulps, String what) {
        float tol = ulps * Math.ulp(expected) + 1e-37f;
        assertTrue(Math.abs(expected - actual) <= tol, what + ": expected " + expected + " got " + actual);
    }

    @Test
    void expAgainstMathExp() {
        float[] x = data(10_007, 87f, 1);
        float[] y = new float[x.length];
        Activations.exp(x.length, x, 0, y, 0);
        for (int i = 0; i < x.length; i++) assertUlps((float) Math.exp(x[i]), y[i], 4, "exp(" + x[i] + ")");
        assertEquals(1f, Activations.exp(0f));
        assertTrue(Float.isNaN(Activations.exp(Float.NaN)));
        assertTrue(Activations.exp(-1000f) < 1e-37f && Activations.exp(-1000f) >= 0f);
        assertTrue(Activations.exp(1000f) > 1e38f);
    }

    @Test
    void sigmoidAndTanhAgainstRef() {
        for (int n : new int[] {1, 7, 8, 9, 33, 1031}) {
            float[] x = data(n, 12f, n), y = new float[n + 3], ref = new float[n + 3];
            Activations.sigmoid(n, x, 0, y, 3);
            Activations.sigmoidRef(n, x, 0, ref, 3);
            for (int i = 0; i < n; i++) assertUlps(ref[i + 3], y[i + 3], 4, "sigmoid(" + x[i] + ")");
            Activations.tanh(n, x, 0, y, 3);
            Activations.tanhRef(n, x, 0, ref, 3);
            for (int i = 0; i < n; i++) assertUlps(ref[i + 3], y[i + 3], 4, "tanh(" + x[i] + ")");
        }
        float[] small = data(1000, 0.7f, 4), y = new float[1000], ref = new float[1000];
        Activations.tanh(1000, small, 0, y, 0);
        Activations.tanhRef(1000, small, 0, ref, 0);
        for (int i = 0; i < 1000; i++) assertUlps(ref[i], y[i], 4, "tanh(" + small[i] + ")");
    }

    @Test
    void derivativesAndReluAgainstRef() {
        int n = 1037;
        float[] x = data(n, 3f, 5), g = data(n, 1f, 6), a = new float[n], b = new float[n], y = new float[n];
        Activations.sigmoid(n, x, 0, y, 0);
        Activations.sigmoidBackward(n, y, 0, g, 0, a, 0);
        Activations.sigmoidBackwardRef(n, y, 0, g, 0, b, 0);
        for (int i = 0; i < n; i++) assertUlps(b[i], a[i], 2, "sigmoid'");
        Activations.tanh(n, x, 0, y, 0);
        Activations.tanhBackward(n, y, 0, g, 0, a, 0);
        // against g·(1 − y²) in double: the kernel's fma rounds 1 − y² once (the Ref rounds y² first,
        // which near |y| = 1 loses the digits that cancel), then one product: 2 ulp
        for (int i = 0; i < n; i++) assertUlps((float) (g[i] * (1 - (double) y[i] * y[i])), a[i], 2, "tanh'");
        Activations.tanhBackwardRef(n, y, 0, g, 0, b, 0);
        for (int i = 0; i < n; i++) assertEquals(a[i], b[i], 1e-6 * Math.abs(g[i]), "tanh' Ref: 1 − y·y loses up to ε absolute");
        for (float slope : new float[] {0f, 0.01f}) {
            Activations.leakyRelu(n, slope, x, 0, a, 0);
            Activations.leakyReluRef(n, slope, x, 0, b, 0);
            for (int i = 0; i < n; i++) assertEquals(b[i], a[i], "leaky relu");
            Activations.leakyReluBackward(n, slope, x, 0, g, 0, a, 0);
            Activations.leakyReluBackwardRef(n, slope, x, 0, g, 0, b, 0);
            for (int i = 0; i < n; i++) assertEquals(b[i], a[i], "leaky relu'");
        }
        float[] nan = {Float.NaN, -1f, 2f};
        Activations.leakyRelu(3, 0f, nan, 0, a, 0);
        assertTrue(Float.isNaN(a[0]), "ReLU(NaN) stays NaN");
    }

    /** An element's result does not depend on whether it falls in a vector lane or the scalar tail. */
    @Test
    void resultDoesNotDependOnPosition() {
        float[] x = data(40, 9f, 7);
        float[] whole = new float[40];
        Activations.sigmoid(40, x, 0, whole, 0);
        for (int i = 0; i < 40; i++) {
            float[] one = new float[1];
            Activations.sigmoid(1, x, i, one, 0);
            assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(one[0]), "sigmoid at " + i);
        }
        Activations.tanh(40, x, 0, whole, 0);
        for (int i = 0; i < 40; i++) {
            float[] one = new float[1];
            Activations.tanh(1, x, i, one, 0);
            assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(one[0]), "tanh at " + i);
        }
    }
}
