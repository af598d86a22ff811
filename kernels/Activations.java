package kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise activation kernels and their derivatives, vectorized, each beside a plain
 * {@code Ref} twin written from the definition with {@link Math#exp} and {@link Math#tanh}.
 *
 * <p>exp is computed here, not by the Vector API's EXP (whose result may differ between the
 * interpreter and compiled code): Cephes' expf, range reduction x = n·ln2 + r and a degree-6
 * polynomial, built from add, multiply and fused multiply-add only. Those are exactly rounded in
 * every execution mode, and the scalar tail runs the same operations as the vector lanes, so an
 * element's result depends neither on its position nor on the JIT: runs are reproducible bit
 * for bit. Relative error about 2 ulp (tested against {@link Math#exp}).
 */
public final class Activations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    // exp(x) = 2^n · e^r with n = round(x·log2 e), r = x − n·ln2 (ln2 split in two for exactness)
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;
    /** Clamp so that n + 127 stays a normal exponent: e^88 ≈ 1.65e38, e^−87 ≈ 1.6e−38. */
    private static final float EXP_MAX = 88f;
    private static final float EXP_MIN = -87f;
    private static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f,
            P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;
    /** Below |x| = 0.625 tanh is an odd polynomial (Cephes tanhf); above, 1 − 2/(e^{2|x|} + 1). */
    private static final float TANH_SMALL = 0.625f;
    private static final float T0 = -5.70498872745E-3f, T1 = 2.06390887954E-2f, T2 = -5.37397155531E-2f,
            T3 = 1.33314422036E-1f, T4 = -3.33332819422E-1f;

    private Activations() {}

    // ---------------------------------------------------------------- exp

    /** e^x in float, the same arithmetic as each lane of {@link #exp(FloatVector)}. */
    public static float exp(float x) {
        x = Math.max(Math.min(x, EXP_MAX), EXP_MIN);
        float t = Math.fma(x, LOG2E, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
        float er = Math.fma(p, r * r, r) + 1f;
        return er * Float.intBitsToFloat((ni + 127) << 23);
    }

    /** e^x lane by lane. */
    public static FloatVector exp(FloatVector x) {
        x = x.min(EXP_MAX).max(EXP_MIN);
        FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = (IntVector) t.reinterpretAsInts();
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(S, P2)).fma(r, FloatVector.broadcast(S, P3))
                .fma(r, FloatVector.broadcast(S, P4)).fma(r, FloatVector.broadcast(S, P5));
        // r.fma(P0, P1) = r·P0 + P1, then each step p·r + Pk
        FloatVector er = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = (FloatVector) ni.sub(ROUND_MAGIC_BITS).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return er.mul(scale);
    }

    /** y[i] = e^{x[i]}. */
    public static void exp(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) exp(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        for (; i < n; i++) y[yOff + i] = exp(x[xOff + i]);
    }

    // ---------------------------------------------------------------- sigmoid

    /** σ(x) = 1/(1 + e^{−x}). */
    public static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** y[i] = σ(x[i]) = 1/(1 + e^{−x[i]}). */
    public static void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            // σ(x) = 1/(1 + e^{−x})
            FloatVector.broadcast(S, 1f).div(exp(v.neg()).add(1f)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = sigmoid(x[xOff + i]);
    }

    public static void sigmoidRef(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) (1.0 / (1.0 + Math.exp(-x[xOff + i])));
    }

    /** dx[i] = g[i]·σ'(x) = g[i]·y[i]·(1 − y[i]), from the output y = σ(x). */
    public static void sigmoidBackward(int n, float[] y, int yOff, float[] g, int gOff, float[] dx, int dxOff) {
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i);
            // ∂E/∂x = ∂E/∂y · y(1 − y)
            gv.mul(yv).mul(FloatVector.broadcast(S, 1f).sub(yv)).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float yi = y[yOff + i];
            dx[dxOff + i] = g[gOff + i] * yi * (1f - yi);
        }
    }

    public static void sigmoidBackwardRef(int n, float[] y, int yOff, float[] g, int gOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) dx[dxOff + i] = g[gOff + i] * y[yOff + i] * (1f - y[yOff + i]);
    }

    // ---------------------------------------------------------------- tanh

    /** tanh x: an odd polynomial below |x| = 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)). */
    public static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < TANH_SMALL) {
            float z = x * x;
            float p = Math.fma(Math.fma(Math.fma(Math.fma(T0, z, T1), z, T2), z, T3), z, T4);
            return Math.fma(p * z, x, x);
        }
        float big = 1f - 2f / (exp(2f * ax) + 1f);
        return x < 0 ? -big : big;
    }

    /** y[i] = tanh x[i]. */
    public static void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector ax = v.abs();
            FloatVector z = v.mul(v);
            FloatVector p = z.fma(T0, T1).fma(z, FloatVector.broadcast(S, T2)).fma(z, FloatVector.broadcast(S, T3))
                    .fma(z, FloatVector.broadcast(S, T4));
            FloatVector small = p.mul(z).fma(v, v); // p·z·x + x
            FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(ax.add(ax)).add(1f)));
            big = big.blend(big.neg(), v.lt(0f));
            VectorMask<Float> isSmall = ax.lt(TANH_SMALL);
            big.blend(small, isSmall).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = tanh(x[xOff + i]);
    }

    public static void tanhRef(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) Math.tanh(x[xOff + i]);
    }

    /** dx[i] = g[i]·(1 − y[i]²), from the output y = tanh x. */
    public static void tanhBackward(int n, float[] y, int yOff, float[] g, int gOff, float[] dx, int dxOff) {
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
            // ∂E/∂x = ∂E/∂y · (1 − y²)
            FloatVector.fromArray(S, g, gOff + i).mul(yv.neg().fma(yv, FloatVector.broadcast(S, 1f))).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float yi = y[yOff + i];
            dx[dxOff + i] = g[gOff + i] * Math.fma(-yi, yi, 1f);
        }
    }

    public static void tanhBackwardRef(int n, float[] y, int yOff, float[] g, int gOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) dx[dxOff + i] = g[gOff + i] * (1f - y[yOff + i] * y[yOff + i]);
    }

    // ---------------------------------------------------------------- ReLU and leaky ReLU

    /** y[i] = x[i]·slope where x[i] < 0, else x[i]; slope 0 is ReLU. NaN stays NaN. */
    public static void leakyRelu(int n, float slope, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            // y = x if x > 0 else slope·x
            v.blend(v.mul(slope), v.lt(0f)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            y[yOff + i] = v < 0f ? v * slope : v;
        }
    }

    public static void leakyReluRef(int n, float slope, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] = x[xOff + i] > 0f ? x[xOff + i] : slope * x[xOff + i];
    }

    /** dx[i] = g[i] where x[i] > 0, else slope·g[i] (the derivative at 0 taken as slope, as PyTorch). */
    public static void leakyReluBackward(int n, float slope, float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff) {
        int i = 0;
        for (; Simd.ON && i <= n - L; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i);
            // ∂E/∂x = ∂E/∂y · (1 if x > 0 else slope)
            gv.blend(gv.mul(slope), FloatVector.fromArray(S, x, xOff + i).compare(VectorOperators.LE, 0f)).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) dx[dxOff + i] = x[xOff + i] > 0f ? g[gOff + i] : g[gOff + i] * slope;
    }

    public static void leakyReluBackwardRef(int n, float slope, float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) dx[dxOff + i] = g[gOff + i] * (x[xOff + i] > 0f ? 1f : slope);
    }
}
