package backprop.sparse;

import static backprop.sparse.SparseVectors.L;
import static backprop.sparse.SparseVectors.S;

import jdk.incubator.vector.FloatVector;
import kernels.Simd;

/**
 * The forward loops of {@link SparseDense}: one batch row's hidden pre-activation as a sum of the
 * weight rows of its words, {@code h = b + Σ_{p ∈ [start, end)} x_p·W[idx[p]]} (binary input, no
 * {@code vals}: {@code h = b + Σ W[idx[p]]}, no multiply by 1). W is {@code [in][out]}, word-major.
 * Per lane the words are added in index order, whichever loop runs, so every variant gives the
 * same bits as the scalar loop.
 */
final class WordRowSums {
    private WordRowSums() {}

    /** h[hOff ..+out) = b + Σ_{p ∈ [start, end)} x_p·W[idx[p]], by the loop for this row width. */
    static void sum(float[] weight, int out, float[] b, float[] vals, int[] idx, int start, int end, float[] h, int hOff) {
        if (!Simd.ON) scalar(weight, out, b, vals, idx, start, end, h, hOff);
        else if (out >= 8 * L) eightVectors(weight, out, b, vals, idx, start, end, h, hOff);
        else if (out > 2 * L) fourVectors(weight, out, b, vals, idx, start, end, h, hOff);
        else if (out >= L) twoVectors(weight, out, b, vals, idx, start, end, h, hOff);
        else scalar(weight, out, b, vals, idx, start, end, h, hOff);
    }

    /**
     * For out ≥ 8L (hidden 100 on AVX2): eight adjacent vectors of h at u .. u + 7L stay in
     * registers, so a row is visited in out/8L passes instead of out/4L, and each word's eight loads
     * go out together. Groups step by 8L and the last one ends at out, overlapping the one before;
     * the lanes computed twice get the same value (same terms, same order).
     */
    private static void eightVectors(float[] weight, int out, float[] b, float[] vals, int[] idx, int start, int end,
                                     float[] h, int hOff) {
        for (int g = 0; g < out; g += 8 * L) {
            int u = Math.min(g, out - 8 * L);
            // h_r = b
            FloatVector a0 = FloatVector.fromArray(S, b, u), a1 = FloatVector.fromArray(S, b, u + L);
            FloatVector a2 = FloatVector.fromArray(S, b, u + 2 * L), a3 = FloatVector.fromArray(S, b, u + 3 * L);
            FloatVector a4 = FloatVector.fromArray(S, b, u + 4 * L), a5 = FloatVector.fromArray(S, b, u + 5 * L);
            FloatVector a6 = FloatVector.fromArray(S, b, u + 6 * L), a7 = FloatVector.fromArray(S, b, u + 7 * L);
            if (vals == null) {
                for (int p = start; p < end; p++) {
                    int row = idx[p] * out + u;
                    // h_r += W[word]
                    a0 = a0.add(FloatVector.fromArray(S, weight, row));
                    a1 = a1.add(FloatVector.fromArray(S, weight, row + L));
                    a2 = a2.add(FloatVector.fromArray(S, weight, row + 2 * L));
                    a3 = a3.add(FloatVector.fromArray(S, weight, row + 3 * L));
                    a4 = a4.add(FloatVector.fromArray(S, weight, row + 4 * L));
                    a5 = a5.add(FloatVector.fromArray(S, weight, row + 5 * L));
                    a6 = a6.add(FloatVector.fromArray(S, weight, row + 6 * L));
                    a7 = a7.add(FloatVector.fromArray(S, weight, row + 7 * L));
                }
            } else {
                for (int p = start; p < end; p++) {
                    int row = idx[p] * out + u;
                    FloatVector x = FloatVector.broadcast(S, vals[p]);
                    // h_r += x_rj·W[word]
                    a0 = FloatVector.fromArray(S, weight, row).fma(x, a0);
                    a1 = FloatVector.fromArray(S, weight, row + L).fma(x, a1);
                    a2 = FloatVector.fromArray(S, weight, row + 2 * L).fma(x, a2);
                    a3 = FloatVector.fromArray(S, weight, row + 3 * L).fma(x, a3);
                    a4 = FloatVector.fromArray(S, weight, row + 4 * L).fma(x, a4);
                    a5 = FloatVector.fromArray(S, weight, row + 5 * L).fma(x, a5);
                    a6 = FloatVector.fromArray(S, weight, row + 6 * L).fma(x, a6);
                    a7 = FloatVector.fromArray(S, weight, row + 7 * L).fma(x, a7);
                }
            }
            a0.intoArray(h, hOff + u);
            a1.intoArray(h, hOff + u + L);
            a2.intoArray(h, hOff + u + 2 * L);
            a3.intoArray(h, hOff + u + 3 * L);
            a4.intoArray(h, hOff + u + 4 * L);
            a5.intoArray(h, hOff + u + 5 * L);
            a6.intoArray(h, hOff + u + 6 * L);
            a7.intoArray(h, hOff + u + 7 * L);
        }
    }

    /**
     * For 2L < out < 8L. Four vectors of h are kept in registers while the words' rows are added to them:
     * four independent add chains, so the loop runs at the rate of the loads, not at the latency of
     * one add (a single chain ran 2-3x slower, and storing h after every word 2-7x slower). A group
     * is two pairs of adjacent vectors, at u, u + L and v, v + L: constant distances, so that the JIT
     * checks the bounds once a pair instead of once a load, as it did for four offsets each clipped
     * to out − L (the gain, with {@link WordRowUpdates}' chunks, is in README's sentiment section).
     * Groups step by 4L and the last one ends at out, overlapping the one before; below 4L one group
     * covers [0, 2L) and [out − 2L, out). Lanes computed twice get bitwise the same value (same
     * terms, same order).
     */
    private static void fourVectors(float[] weight, int out, float[] b, float[] vals, int[] idx, int start, int end,
                                    float[] h, int hOff) {
        for (int g = 0; g < out; g += 4 * L) {
            int u = out >= 4 * L ? Math.min(g, out - 4 * L) : 0;
            int v = out >= 4 * L ? u + 2 * L : out - 2 * L;
            // h_r = b
            FloatVector acc0 = FloatVector.fromArray(S, b, u), acc1 = FloatVector.fromArray(S, b, u + L);
            FloatVector acc2 = FloatVector.fromArray(S, b, v), acc3 = FloatVector.fromArray(S, b, v + L);
            if (vals == null) {
                for (int p = start; p < end; p++) {
                    int row = idx[p] * out;
                    // h_r += W[word]
                    acc0 = acc0.add(FloatVector.fromArray(S, weight, row + u));
                    acc1 = acc1.add(FloatVector.fromArray(S, weight, row + u + L));
                    acc2 = acc2.add(FloatVector.fromArray(S, weight, row + v));
                    acc3 = acc3.add(FloatVector.fromArray(S, weight, row + v + L));
                }
            } else {
                for (int p = start; p < end; p++) {
                    int row = idx[p] * out;
                    FloatVector x = FloatVector.broadcast(S, vals[p]);
                    // h_r += x_rj·W[word]
                    acc0 = FloatVector.fromArray(S, weight, row + u).fma(x, acc0);
                    acc1 = FloatVector.fromArray(S, weight, row + u + L).fma(x, acc1);
                    acc2 = FloatVector.fromArray(S, weight, row + v).fma(x, acc2);
                    acc3 = FloatVector.fromArray(S, weight, row + v + L).fma(x, acc3);
                }
            }
            acc0.intoArray(h, hOff + u);
            acc1.intoArray(h, hOff + u + L);
            acc2.intoArray(h, hOff + v);
            acc3.intoArray(h, hOff + v + L);
        }
    }

    /**
     * For L ≤ out ≤ 2L (hidden 10 on AVX2): a row is two vectors, at 0 and at out − L (overlapping),
     * so two accumulators and two loads a word instead of four of each (measured: 2.0–3.4 ns a word
     * against 3.8–6.6 at vocabularies of 10k and 74k).
     */
    private static void twoVectors(float[] weight, int out, float[] b, float[] vals, int[] idx, int start, int end,
                                   float[] h, int hOff) {
        int t = out - L;
        // h_r = b
        FloatVector acc0 = FloatVector.fromArray(S, b, 0), acc1 = FloatVector.fromArray(S, b, t);
        if (vals == null) {
            for (int p = start; p < end; p++) {
                int row = idx[p] * out;
                // h_r += W[word]
                acc0 = acc0.add(FloatVector.fromArray(S, weight, row));
                acc1 = acc1.add(FloatVector.fromArray(S, weight, row + t));
            }
        } else {
            for (int p = start; p < end; p++) {
                int row = idx[p] * out;
                FloatVector x = FloatVector.broadcast(S, vals[p]);
                // h_r += x_rj·W[word]
                acc0 = FloatVector.fromArray(S, weight, row).fma(x, acc0);
                acc1 = FloatVector.fromArray(S, weight, row + t).fma(x, acc1);
            }
        }
        acc0.intoArray(h, hOff);
        acc1.intoArray(h, hOff + t);
    }

    /** For out < L, one lane at a time. */
    private static void scalar(float[] weight, int out, float[] b, float[] vals, int[] idx, int start, int end,
                               float[] h, int hOff) {
        for (int o = 0; o < out; o++) {
            float acc = b[o];
            if (vals == null) {
                for (int p = start; p < end; p++) acc += weight[idx[p] * out + o];
            } else {
                for (int p = start; p < end; p++) acc = Math.fma(weight[idx[p] * out + o], vals[p], acc);
            }
            h[hOff + o] = acc;
        }
    }
}
