package backprop.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import backprop.init.Initializer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tensor.Tensor;

/**
 * The vector loops of {@link SparseDense} on every kind of row width: shorter than a vector, one
 * vector, a vector and a ragged tail (the overlapping last vector), two pairs of vectors (out < 4L),
 * groups of four stepping by 4L and, from 8L, of eight stepping by 8L (forward), chunks of up to eight vectors (plain update, out > 4L:
 * one chunk up to 8L; 8L + 1 .. 9L − 1 split as 4L and the rest; 9L and wider as 8L and more), and
 * the last word of the table (nothing may be read or written past a row). The pom runs this class
 * again at each vector width (-Dnabla.sparse.vector=128, 256, 512: L = 4, 8, 16), whatever the machine.
 *
 * <p>Tolerance: none. Per lane the vector code does the same float operations in the same order
 * as the scalar loops written here (add, or fma, word after word in CSR order; fma per update),
 * and a vector lane rounds as the scalar operation does, so the results must be bitwise equal.
 */
class SparseDenseWidthTest {
    private static final int V = 41, ROWS = 4;
    private static final float LR = 0.37f;

    @Test
    void runsAtTheForcedVectorWidth() {
        String bits = System.getProperty("nabla.sparse.vector", "auto");
        if (!bits.equals("auto")) assertEquals(Integer.parseInt(bits) / 32, SparseDense.vectorLength(), "floats per vector");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 8, 9, 10, 15, 16, 17, 24, 31, 32, 33, 40, 41, 63, 64, 65, 72, 100, 128, 129, 143, 144, 145, 200, 257})
    void forwardAndPlainUpdateMatchScalarLoopsBitwise(int out) {
        for (boolean binary : new boolean[] {true, false}) {
            SparseBatch x = batchWithLastWord(binary);
            SparseDense layer = layer(out);
            float[] w0 = layer.storedWeight().copy().data();
            float[] b = layer.bias().value().data();
            Tensor h = layer.forward(x);
            for (int r = 0; r < ROWS; r++) {
                for (int o = 0; o < out; o++) {
                    // h_r = b + Σ x_rj·W[j], words in CSR order
                    float acc = b[o];
                    for (int p = x.rowStart(r); p < x.rowEnd(r); p++) {
                        float wj = w0[x.indices()[p] * out + o];
                        acc = binary ? acc + wj : Math.fma(wj, x.values()[p], acc);
                    }
                    assertEquals(Float.floatToRawIntBits(acc), Float.floatToRawIntBits(h.get(r, o)), "out=" + out + " h[" + r + "][" + o + "]");
                }
            }
            Tensor delta = Tensor.randn(out, 0.5f, ROWS, out);
            layer.backward(delta);
            // reading the gathered rows must not change what a plain step computes
            if (!binary) assertEquals(V, layer.gradientWordCount(), "every word is in the batch");
            layer.step(LR, 0f, 0f, 0f);
            float[] expected = w0.clone();
            for (int r = 0; r < ROWS; r++) {
                for (int p = x.rowStart(r); p < x.rowEnd(r); p++) {
                    int row = x.indices()[p] * out;
                    for (int o = 0; o < out; o++) {
                        // W[j] ← W[j] − lr·x_rj·δ_r, row after row
                        float g = binary ? delta.get(r, o) : x.values()[p] * delta.get(r, o);
                        expected[row + o] = Math.fma(g, -LR, expected[row + o]);
                    }
                }
            }
            assertBitwise(expected, layer.storedWeight().data(), "out=" + out + " binary=" + binary + " plain step");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 10, 17, 33, 100})
    void momentumAndL2UpdateMatchesTheScalarRuleBitwise(int out) {
        float mu = 0.9f, l2 = 0.01f;
        SparseBatch x = batchWithLastWord(true);
        SparseDense layer = layer(out);
        for (int step = 0; step < 3; step++) {
            layer.forward(x);
            layer.backward(Tensor.randn(10 + step, 0.5f, ROWS, out));
            float[] w = layer.storedWeight().copy().data();
            float[] v = step == 0 ? new float[V * out] : layer.velocity().copy().data(); // every row present: nothing pending
            float[] g = layer.gradientRows();
            int[] words = layer.gradientWords();
            for (int s = 0; s < layer.gradientWordCount(); s++) {
                for (int o = 0; o < out; o++) {
                    int i = words[s] * out + o;
                    // g ← g + λ·w ; v ← μ·v + g ; w ← w − lr·v
                    float gi = Math.fma(w[i], l2, g[s * out + o]);
                    v[i] = Math.fma(v[i], mu, gi);
                    w[i] = Math.fma(v[i], -LR, w[i]);
                }
            }
            layer.step(LR, mu, 0f, l2);
            assertBitwise(w, layer.storedWeight().data(), "out=" + out + " step " + step + " weights");
            assertBitwise(v, layer.velocity().data(), "out=" + out + " step " + step + " velocity");
        }
    }

    /** ROWS rows over all V words, so that every row is present and the last word of the table is in every row. */
    private static SparseBatch batchWithLastWord(boolean binary) {
        SplittableRandom rng = new SplittableRandom(9);
        SparseBatch x = new SparseBatch(V, binary);
        int[] idx = new int[V];
        float[] vals = new float[V];
        for (int r = 0; r < ROWS; r++) {
            int n = 0;
            for (int j = 0; j < V - 1; j++) {
                if (r == 0 || rng.nextInt(3) == 0) {
                    idx[n] = j;
                    vals[n++] = 1 + rng.nextInt(3);
                }
            }
            idx[n] = V - 1;
            vals[n++] = 2;
            x.addRow(idx, binary ? null : vals, 0, n);
        }
        return x;
    }

    private static SparseDense layer(int out) {
        SparseDense layer = new SparseDense(V, out);
        layer.initialize(Initializer.NORMAL_FAN_IN, new SplittableRandom(out));
        float[] b = layer.bias().value().data();
        for (int o = 0; o < out; o++) b[o] = 0.01f * o - 0.2f;
        return layer;
    }

    private static void assertBitwise(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " at " + i
                    + " (vector length " + SparseDense.vectorLength() + ")");
        }
    }
}
