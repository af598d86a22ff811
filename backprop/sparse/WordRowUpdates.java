package backprop.sparse;

import static backprop.sparse.SparseVectors.L;
import static backprop.sparse.SparseVectors.S;

import jdk.incubator.vector.FloatVector;
import kernels.Simd;

/**
 * The update loops of {@link SparseDense}, on the weight rows of words ({@code W [in][out]},
 * word-major): the plain-SGD update straight from δ ({@link #scatter}), and one row's SGD update
 * with momentum and L2 from a gathered gradient row ({@link #updateRow}).
 *
 * <p>Rows are rarely a whole number of vectors (10 or 100 floats). The last vector starts at
 * out − L and overlaps the one before it; it is loaded and computed before either store, so the
 * lanes written twice get the same value twice (same old values, same operations). One vector
 * instead of a scalar tail: with rows spread over the table each scalar read-modify-write costs
 * about as much as a vector one. Every variant does, per lane, the float operations of the scalar
 * loop in its order: the same bits.
 */
final class WordRowUpdates {
    private WordRowUpdates() {}

    /**
     * Plain SGD straight from δ, the notes' index-based update: for each batch row r in [0, rows)
     * and each entry p in {@code [from[base + r], to[base + r])}, W[idx[p]] ← W[idx[p]] − lr·x_p·δ_r,
     * rows in batch order (δ_r at {@code deltaOff + r·out}; binary input when {@code vals} is null).
     */
    static void scatter(float[] weight, int out, float lr, float[] delta, int deltaOff,
                        int[] from, int[] to, int base, int[] idx, float[] vals, int rows) {
        if (Simd.ON && out >= L && out <= 2 * L) {
            scatterTwoVectors(weight, out, lr, delta, deltaOff, from, to, base, idx, vals, rows);
        } else if (Simd.ON && out > 4 * L) {
            scatterInChunks(weight, out, lr, delta, deltaOff, from, to, base, idx, vals, rows);
        } else {
            for (int r = 0; r < rows; r++) {
                int dr = deltaOff + r * out;
                for (int p = from[base + r]; p < to[base + r]; p++) {
                    // W[word] ← W[word] − lr·x_rj·δ_r
                    if (vals == null) updateRow(weight, null, idx[p] * out, delta, dr, out, lr, 0f, 0f);
                    else scaledUpdateRow(weight, out, lr, idx[p] * out, vals[p], delta, dr);
                }
            }
        }
    }

    /**
     * {@link #scatter} for L ≤ out ≤ 2L: a row of δ is two vectors (at 0 and out − L), kept in
     * registers for all the words of its batch row instead of reloaded for each (measured: 4.6–6.3 ns a
     * word against 7.3–11.6). Per word the operations of {@link #updateRow} and {@link #scaledUpdateRow},
     * in their order, the overlapping vector computed before either store: the same bits.
     */
    private static void scatterTwoVectors(float[] weight, int out, float lr, float[] delta, int deltaOff,
                                          int[] from, int[] to, int base, int[] idx, float[] vals, int rows) {
        int t = out - L;
        FloatVector lrV = FloatVector.broadcast(S, -lr);
        for (int r = 0; r < rows; r++) {
            int dr = deltaOff + r * out;
            FloatVector d0 = FloatVector.fromArray(S, delta, dr), dt = FloatVector.fromArray(S, delta, dr + t);
            for (int p = from[base + r]; p < to[base + r]; p++) {
                int o = idx[p] * out;
                FloatVector g0 = d0, gt = dt;
                if (vals != null) {
                    // g = x·δ
                    FloatVector xv = FloatVector.broadcast(S, vals[p]);
                    g0 = d0.mul(xv);
                    gt = dt.mul(xv);
                }
                // W[word] ← W[word] − lr·g  (the overlapping vector from the old row, before either store)
                FloatVector wt = gt.fma(lrV, FloatVector.fromArray(S, weight, o + t));
                g0.fma(lrV, FloatVector.fromArray(S, weight, o)).intoArray(weight, o);
                wt.intoArray(weight, o + t);
            }
        }
    }

    /**
     * Width of the chunk of a row that starts at {@code start}, for {@link #scatterInChunks}
     * (out > 4L): the rest of the row when it is at most 8 vectors, 8 vectors while at least 9
     * remain, else 4 (leaving 4–5). So every chunk is L..8L wide and the chunks do not overlap: one
     * chunk is updated after another without a lane being read after its own store.
     */
    private static int chunkWidth(int out, int start) {
        int rest = out - start;
        return rest <= 8 * L ? rest : rest >= 9 * L ? 8 * L : 4 * L;
    }

    /**
     * {@link #scatter} for out > 4L, a {@link #chunkWidth chunk} of at most 8 vectors at a time: the
     * chunk's δ vectors stay in registers for all the words of their batch row instead of being
     * reloaded with {@link #updateRow} for each word (with the forward's constant-distance groups: at
     * hidden 100, batch 64, 74k words, 31–32k reviews/s before and 37–45k after, JMH, alternated
     * twice). The batch row is the outer loop: its second chunk walks the same words right after
     * the first (about 90 KB of rows at 230 words and hidden 100) rather than after the whole
     * batch's first chunks (about 6 MB at batch 64), so the rows are most likely still in a near
     * cache (no counters on the VM to show it; 55.4k → 68.8k reviews/s at hidden 100, batch 64,
     * 74k words, six alternated rounds). Per word all of the chunk's vectors are loaded and
     * computed before any is stored, so the clipped, overlapping last vectors write the same bits;
     * chunks do not overlap. Per lane the operations of {@link #updateRow} and
     * {@link #scaledUpdateRow}, rows in batch order: the same bits as they give.
     */
    private static void scatterInChunks(float[] weight, int out, float lr, float[] delta, int deltaOff,
                                        int[] from, int[] to, int base, int[] idx, float[] vals, int rows) {
        for (int r = 0; r < rows; r++) {
            int dr = deltaOff + r * out;
            for (int c = 0, width; c < out; c += width) {
                width = chunkWidth(out, c);
                int last = c + width - L;
                int o1 = Math.min(c + L, last), o2 = Math.min(c + 2 * L, last), o3 = Math.min(c + 3 * L, last);
                int o4 = Math.min(c + 4 * L, last), o5 = Math.min(c + 5 * L, last), o6 = Math.min(c + 6 * L, last), o7 = last;
                // made here, not before the chunk loop: live across it, JDK 17 boxed it (~50 bytes a step)
                FloatVector lrV = FloatVector.broadcast(S, -lr);
                FloatVector d0 = FloatVector.fromArray(S, delta, dr + c), d1 = FloatVector.fromArray(S, delta, dr + o1);
                FloatVector d2 = FloatVector.fromArray(S, delta, dr + o2), d3 = FloatVector.fromArray(S, delta, dr + o3);
                FloatVector d4 = FloatVector.fromArray(S, delta, dr + o4), d5 = FloatVector.fromArray(S, delta, dr + o5);
                FloatVector d6 = FloatVector.fromArray(S, delta, dr + o6), d7 = FloatVector.fromArray(S, delta, dr + o7);
                for (int p = from[base + r]; p < to[base + r]; p++) {
                    int row = idx[p] * out;
                    FloatVector g0 = d0, g1 = d1, g2 = d2, g3 = d3, g4 = d4, g5 = d5, g6 = d6, g7 = d7;
                    if (vals != null) {
                        // g = x·δ
                        FloatVector xv = FloatVector.broadcast(S, vals[p]);
                        g0 = d0.mul(xv); g1 = d1.mul(xv); g2 = d2.mul(xv); g3 = d3.mul(xv);
                        g4 = d4.mul(xv); g5 = d5.mul(xv); g6 = d6.mul(xv); g7 = d7.mul(xv);
                    }
                    // W[word] ← W[word] − lr·g  (all eight from the old row, then the stores)
                    FloatVector w0 = g0.fma(lrV, FloatVector.fromArray(S, weight, row + c));
                    FloatVector w1 = g1.fma(lrV, FloatVector.fromArray(S, weight, row + o1));
                    FloatVector w2 = g2.fma(lrV, FloatVector.fromArray(S, weight, row + o2));
                    FloatVector w3 = g3.fma(lrV, FloatVector.fromArray(S, weight, row + o3));
                    FloatVector w4 = g4.fma(lrV, FloatVector.fromArray(S, weight, row + o4));
                    FloatVector w5 = g5.fma(lrV, FloatVector.fromArray(S, weight, row + o5));
                    FloatVector w6 = g6.fma(lrV, FloatVector.fromArray(S, weight, row + o6));
                    FloatVector w7 = g7.fma(lrV, FloatVector.fromArray(S, weight, row + o7));
                    w0.intoArray(weight, row + c);
                    w1.intoArray(weight, row + o1);
                    w2.intoArray(weight, row + o2);
                    w3.intoArray(weight, row + o3);
                    w4.intoArray(weight, row + o4);
                    w5.intoArray(weight, row + o5);
                    w6.intoArray(weight, row + o6);
                    w7.intoArray(weight, row + o7);
                }
            }
        }
    }

    /**
     * W[wOff ..+out) ← W − lr·(x·δ[dOff ..+out)), the product rounded first as the gathered path
     * rounds it; the tail as {@link #updateRow}'s.
     */
    private static void scaledUpdateRow(float[] weight, int out, float lr, int wOff, float x, float[] delta, int dOff) {
        if (!Simd.ON || out < L) {
            for (int i = 0; i < out; i++) weight[wOff + i] = Math.fma(x * delta[dOff + i], -lr, weight[wOff + i]);
            return;
        }
        FloatVector xv = FloatVector.broadcast(S, x), lrV = FloatVector.broadcast(S, -lr);
        int t = out - L;
        // g = x·δ ; w ← w − lr·g  (the last vector, computed before any store)
        FloatVector tail = FloatVector.fromArray(S, delta, dOff + t).mul(xv).fma(lrV, FloatVector.fromArray(S, weight, wOff + t));
        for (int i = 0; i < t; i += L) {
            // g = x·δ ; w ← w − lr·g
            FloatVector g = FloatVector.fromArray(S, delta, dOff + i).mul(xv);
            g.fma(lrV, FloatVector.fromArray(S, weight, wOff + i)).intoArray(weight, wOff + i);
        }
        tail.intoArray(weight, wOff + t);
    }

    /**
     * One row's SGD update, in Sgd's order of operations so that a present row gets bitwise the
     * value Dense + Sgd would give it: g ← g + λ·w; v ← μ·v + g; w ← w − lr·v (v is null without
     * momentum: then v is g).
     */
    static void updateRow(float[] w, float[] v, int wOff, float[] g, int gOff, int n, float lr, float mu, float l2) {
        if (!Simd.ON || n < L) {
            updateRowScalar(w, v, wOff, g, gOff, n, lr, mu, l2);
            return;
        }
        FloatVector lrV = FloatVector.broadcast(S, -lr), muV = FloatVector.broadcast(S, mu), l2V = FloatVector.broadcast(S, l2);
        boolean decay = l2 != 0f;
        int t = n - L;
        FloatVector tw = FloatVector.fromArray(S, w, wOff + t);
        FloatVector tg = FloatVector.fromArray(S, g, gOff + t);
        // g ← g + λ·w
        if (decay) tg = tw.fma(l2V, tg);
        // v ← μ·v + g
        if (v != null) tg = FloatVector.fromArray(S, v, wOff + t).fma(muV, tg);
        for (int i = 0; i < t; i += L) {
            FloatVector wv = FloatVector.fromArray(S, w, wOff + i);
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i);
            // g ← g + λ·w
            if (decay) gv = wv.fma(l2V, gv);
            if (v != null) {
                // v ← μ·v + g
                gv = FloatVector.fromArray(S, v, wOff + i).fma(muV, gv);
                gv.intoArray(v, wOff + i);
            }
            // w ← w − lr·v
            gv.fma(lrV, wv).intoArray(w, wOff + i);
        }
        if (v != null) tg.intoArray(v, wOff + t);
        // w ← w − lr·v  (the last vector)
        tg.fma(lrV, tw).intoArray(w, wOff + t);
    }

    /** {@link #updateRow} for rows shorter than a vector. */
    private static void updateRowScalar(float[] w, float[] v, int wOff, float[] g, int gOff, int n, float lr, float mu, float l2) {
        for (int i = 0; i < n; i++) {
            float gi = g[gOff + i];
            // g ← g + λ·w
            if (l2 != 0f) gi = Math.fma(w[wOff + i], l2, gi);
            // v ← μ·v + g
            if (v != null) v[wOff + i] = gi = Math.fma(v[wOff + i], mu, gi);
            // w ← w − lr·v
            w[wOff + i] = Math.fma(gi, -lr, w[wOff + i]);
        }
    }
}
