package backprop.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.Network;
import backprop.Trainer;
import backprop.layers.Dense;
import backprop.loss.BinaryCrossEntropyWithLogits;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tensor.Tensor;

/**
 * SparseDense against Dense on the same input: forward, gradients, and weights after training.
 *
 * <p>Tolerances. Both layers compute the same sums of the same terms in different orders (GEMM
 * blocks and vectorizes its k loop; the sparse layer adds word rows in index order). By Higham's
 * bound a float sum of n terms t_i is off by at most γ_n·Σ|t_i|, γ_n ≈ n·u, u = 2⁻²⁴, in any order;
 * two such sums differ by at most 2·n·u·Σ|t_i|. Forward: n = words in the row + 1 (the bias).
 * Weight gradient of word j: n = batch rows holding j. Products x·W with x = 1 are exact; with
 * counts each product adds one more rounding, covered by using n + 1.
 */
class SparseDenseTest {
    private static final double U = Math.ulp(1f) / 2; // unit roundoff of float, 2⁻²⁴
    private static final int V = 57, H = 7, B = 5;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void forwardEqualsDenseOnTheSameInput(boolean binary) {
        SparseBatch x = SparseFixtures.batch(11, B, V, 50, 15, binary);
        Tensor xd = SparseFixtures.dense(x);
        Network net = SparseFixtures.denseNet(V, H, 3);
        Dense dense = (Dense) net.layers().get(0);
        SparseDense sparse = SparseFixtures.sparseTwin(net).first();

        Tensor hd = dense.forward(xd, true);
        Tensor hs = sparse.forward(x);
        float[] w = dense.weight().value().data(), b = dense.bias().value().data();
        for (int r = 0; r < B; r++) {
            for (int o = 0; o < H; o++) {
                // Σ|terms| = |b_o| + Σ_j |x_rj·W[o][j]|
                double sumAbs = Math.abs(b[o]);
                for (int j = 0; j < V; j++) sumAbs += Math.abs(xd.get(r, j) * w[o * V + j]);
                int n = x.rowEnd(r) - x.rowStart(r) + 2;
                assertEquals(hd.get(r, o), hs.get(r, o), 2 * n * U * sumAbs, "h[" + r + "][" + o + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsEqualDenseForTheSameUpstreamGradient(boolean binary) {
        SparseBatch x = SparseFixtures.batch(12, B, V, 50, 15, binary);
        Tensor xd = SparseFixtures.dense(x);
        Network net = SparseFixtures.denseNet(V, H, 4);
        Dense dense = (Dense) net.layers().get(0);
        SparseDense sparse = SparseFixtures.sparseTwin(net).first();
        dense.forward(xd, true);
        sparse.forward(x);
        Tensor delta = Tensor.randn(5, 0.3f, B, H);

        dense.backward(delta);
        sparse.backward(delta);
        // the same kernel (sumRows) on the same δ: bitwise equal
        assertArrayEquals(dense.bias().gradient().data(), sparse.bias().gradient().data(), 0f);

        float[] gw = dense.weight().gradient().data();
        boolean[] present = new boolean[V];
        for (int s = 0; s < sparse.gradientWordCount(); s++) {
            int j = sparse.gradientWords()[s];
            assertTrue(!present[j], "word " + j + " has two gradient rows");
            present[j] = true;
            for (int o = 0; o < H; o++) {
                // ∂E/∂W[j][o] = Σ_{r ∋ j} x_rj·δ_ro
                double sumAbs = 0;
                int n = 1;
                for (int r = 0; r < B; r++) {
                    sumAbs += Math.abs(xd.get(r, j) * delta.get(r, o));
                    if (xd.get(r, j) != 0f) n++;
                }
                assertEquals(gw[o * V + j], sparse.gradientRows()[s * H + o], 2 * n * U * sumAbs, "dW[" + o + "][" + j + "]");
            }
        }
        for (int j = 0; j < V; j++) {
            boolean inBatch = false;
            for (int r = 0; r < B; r++) inBatch |= xd.get(r, j) != 0f;
            assertEquals(inBatch, present[j], "word " + j + ": a gradient row exactly for the words in the batch");
            if (!inBatch) for (int o = 0; o < H; o++) assertEquals(0f, gw[o * V + j], 0f);
        }
    }

    /**
     * 20 training steps on the same batches give the same weights. Per step the two paths differ
     * by the forward rounding above (≤ 2·16·u ≈ 2e-6 relative to Σ|terms| ≤ ~3 here) and the
     * gradients' (≤ 2·6·u); with lr = 0.5 and gradients below 1, a step moves a weight by
     * ≤ 0.5, so a step's disagreement is ≲ 0.5·1e-5, and 20 steps add ≤ 20× that, 1e-4 — the
     * map w ↦ w − lr·∇E is not expanding at this lr (the loss is smooth with curvature ≤ 1/4 per
     * unit of input). Under plain SGD the sparse layer applies each batch row's term in turn
     * (W − lr·δ₁ − lr·δ₂ for W − lr·(δ₁ + δ₂)): one more rounding of ≤ u·|W| per row holding the
     * word, ≤ 4·u·|W| a step (|W| ≲ 1 here: ≤ 2.4e-7), within the same budget. We allow 2e-4 absolute; measured: 6e-8 (plain), 1e-7 (momentum + L2).
     */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "momentum+l2"})
    void weightsEqualDenseAfterTwentySteps(String optimizer) {
        Network denseNet = SparseFixtures.denseNet(V, H, 8);
        SparseNetwork sparseNet = SparseFixtures.sparseTwin(denseNet);
        boolean lazy = optimizer.equals("momentum+l2");
        Sgd denseSgd = new Sgd(denseNet, 0.5f), sparseSgd = new Sgd(sparseNet.denseParameters(), 0.5f);
        if (lazy) {
            denseSgd.momentum(0.9f).regularization(Regularization.l2(0.01f));
            sparseSgd.momentum(0.9f).regularization(Regularization.l2(0.01f));
        }
        Trainer dense = new Trainer(denseNet, new BinaryCrossEntropyWithLogits(), denseSgd);
        SparseTrainer sparse = new SparseTrainer(sparseNet, new BinaryCrossEntropyWithLogits(), sparseSgd, true);
        Tensor w0 = ((Dense) denseNet.layers().get(0)).weight().value().copy();
        for (int step = 0; step < 20; step++) {
            if (step == 10) { // a schedule changing the rate mid-way: the sparse rows owe steps taken at the old rate
                denseSgd.setLearningRate(0.3f);
                sparseSgd.setLearningRate(0.3f);
            }
            // words 50..56 never appear; rows are 3..8 words out of 50, so most words skip most steps
            SparseBatch x = SparseFixtures.batch(100 + step, 4, V, 50, 8, true);
            Tensor y = SparseFixtures.targets(200 + step, 4);
            double ed = dense.step(SparseFixtures.dense(x), y);
            double es = sparse.step(x, y);
            assertEquals(ed, es, 1e-4, "loss at step " + step);
        }
        Tensor wd = ((Dense) denseNet.layers().get(0)).weight().value();
        Tensor ws = sparseNet.first().weight(); // brings every row up to date
        double maxDiff = 0;
        for (int o = 0; o < H; o++) {
            for (int j = 0; j < V; j++) maxDiff = Math.max(maxDiff, Math.abs(wd.get(o, j) - ws.get(j, o)));
        }
        assertTrue(maxDiff <= 2e-4, optimizer + ": first-layer weights differ by " + maxDiff);
        assertArrayEquals(denseNet.parameter("dense2.weight").value().data(), sparseNet.rest().parameter("dense1.weight").value().data(), 2e-4f);
        assertArrayEquals(denseNet.parameter("dense0.bias").value().data(), sparseNet.first().bias().value().data(), 2e-4f);
        for (int j = 50; j < V; j++) {
            for (int o = 0; o < H; o++) {
                if (!lazy) {
                    // never present, plain SGD: bitwise the initial weight on both paths
                    assertEquals(Float.floatToRawIntBits(w0.get(o, j)), Float.floatToRawIntBits(ws.get(j, o)));
                    assertEquals(Float.floatToRawIntBits(w0.get(o, j)), Float.floatToRawIntBits(wd.get(o, j)));
                } else {
                    // never present, L2 only acts: both paths shrink it by (1 − lr·λ)^k, ≠ w0
                    assertNotEquals(w0.get(o, j), ws.get(j, o));
                }
            }
        }
    }

    @Test
    void onlyTheRowsOfPresentWordsChangeUnderPlainSgd() {
        SparseDense layer = new SparseDense(V, H);
        layer.initialize(backprop.init.Initializer.NORMAL_FAN_IN, new SplittableRandom(1));
        SparseBatch x = SparseFixtures.batch(21, 3, V, 40, 10, true);
        float[] before = layer.storedWeight().copy().data();
        layer.forward(x);
        layer.backward(Tensor.randn(2, 1f, 3, H));
        layer.step(0.1f, 0f, 0f, 0f);
        boolean[] present = presentWords(x);
        float[] after = layer.storedWeight().data();
        for (int j = 0; j < V; j++) {
            for (int o = 0; o < H; o++) {
                int i = j * H + o;
                if (present[j]) assertNotEquals(before[i], after[i], "row " + j + " is in the batch and must move");
                else assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]), "row " + j + " must be bitwise unchanged");
            }
            assertEquals(0, layer.pendingSteps(j));
        }
        assertNull(layer.velocity());
    }

    /** Under momentum and L2, absent rows are not touched but owe the step; catching up gives M·(w, v) exactly as Sgd computes it. */
    @Test
    void absentRowsAreLazyUnderMomentumAndL2AndCatchUpToTheDenseRule() {
        float lr = 0.1f, mu = 0.9f, l2 = 0.05f;
        SparseDense layer = new SparseDense(V, H);
        layer.initialize(backprop.init.Initializer.NORMAL_FAN_IN, new SplittableRandom(2));
        SparseBatch all = new SparseBatch(V, true);
        int[] every = new int[V];
        for (int j = 0; j < V; j++) every[j] = j;
        all.addRow(every, null, 0, V);
        // step 1 on every word, so every row has a velocity
        layer.forward(all);
        layer.backward(Tensor.randn(3, 1f, 1, H));
        layer.step(lr, mu, 0f, l2);
        float[] w1 = layer.storedWeight().copy().data(), v1 = layer.velocity().copy().data();
        // steps 2 and 3 on a few words only
        SparseBatch x = SparseFixtures.batch(22, 2, V, 40, 6, true);
        boolean[] present = presentWords(x);
        for (int s = 0; s < 2; s++) {
            layer.forward(x);
            layer.backward(Tensor.randn(4 + s, 1f, 2, H));
            layer.step(lr, mu, 0f, l2);
        }
        float[] stored = layer.storedWeight().data();
        for (int j = 0; j < V; j++) {
            if (present[j]) continue;
            assertEquals(2, layer.pendingSteps(j), "row " + j);
            for (int o = 0; o < H; o++) assertEquals(Float.floatToRawIntBits(w1[j * H + o]), Float.floatToRawIntBits(stored[j * H + o]));
        }
        float[] w3 = layer.weight().data(), v3 = layer.velocity().data();
        for (int j = 0; j < V; j++) {
            if (present[j]) continue;
            for (int o = 0; o < H; o++) {
                // two dense steps with g = 0, in float as Sgd does them: g = λw; v = μv + g; w = w − lr·v
                float w = w1[j * H + o], v = v1[j * H + o];
                for (int k = 0; k < 2; k++) {
                    float g = Math.fma(w, l2, 0f);
                    v = Math.fma(v, mu, g);
                    w = Math.fma(v, -lr, w);
                }
                // the closed form rounds once, the loop 3 times a step: ≤ 8 roundings of terms ≤ |w| + |v|
                double tol = 8 * U * (Math.abs(w1[j * H + o]) + Math.abs(v1[j * H + o]));
                assertEquals(w, w3[j * H + o], tol, "w row " + j);
                assertEquals(v, v3[j * H + o], tol, "v row " + j);
            }
            assertEquals(0, layer.pendingSteps(j));
        }
    }

    /**
     * The forward's catch-up (owing rows listed, then caught up in groups with the next group's rows
     * loaded ahead) against {@link SparseDense#weight()}'s catch-up of every row, once, before the
     * same forward: both apply (w, v) ← M^k·(w, v) with the same k to each present row, so h and the
     * present rows must agree bit for bit, after the forward and after the step. (Catching up at
     * every step instead would round w and v once a step: a different, equally valid result.) The
     * last batch shares words between rows and has more owing words than a group, not a multiple of it.
     */
    @ParameterizedTest
    @ValueSource(ints = {13, 100})
    void catchUpInTheForwardEqualsCatchingUpEveryRowFirst(int hidden) {
        float lr = 0.05f, mu = 0.9f, l2 = 0.01f;
        int vocab = 300;
        SparseDense inForward = new SparseDense(vocab, hidden), allFirst = new SparseDense(vocab, hidden);
        inForward.initialize(backprop.init.Initializer.NORMAL_FAN_IN, new SplittableRandom(5));
        allFirst.initialize(backprop.init.Initializer.NORMAL_FAN_IN, new SplittableRandom(5));
        int last = 5;
        for (int step = 0; step <= last; step++) {
            // few words per step, so that rows owe different numbers of steps when they come back
            SparseBatch x = step < last ? SparseFixtures.batch(40 + step, 3, vocab, 60 + 40 * step, 20, true)
                    : SparseFixtures.batch(98, 3, vocab, vocab, 90, true);
            if (step == last) {
                boolean[] present = presentWords(x);
                int owing = 0;
                for (int j = 0; j < vocab; j++) if (present[j] && inForward.pendingSteps(j) > 0) owing++;
                assertTrue(owing > 16 && owing % 8 != 0, "the last batch should hold more owing words than two groups, not a multiple of 8: " + owing);
                allFirst.weight(); // catches up every row
            }
            Tensor hIn = inForward.forward(x).copy(), hAll = allFirst.forward(x).copy();
            assertArrayEquals(hAll.data(), hIn.data(), "h at step " + step);
            if (step == last) assertPresentRowsEqual(x, allFirst, inForward, hidden, "after the forward");
            Tensor g = Tensor.randn(60 + step, 1f, 3, hidden);
            inForward.backward(g);
            allFirst.backward(g);
            inForward.step(lr, mu, 0f, l2);
            allFirst.step(lr, mu, 0f, l2);
            if (step == last) assertPresentRowsEqual(x, allFirst, inForward, hidden, "after the step");
        }
    }

    private static void assertPresentRowsEqual(SparseBatch x, SparseDense expected, SparseDense actual, int hidden, String when) {
        boolean[] present = presentWords(x);
        float[] we = expected.storedWeight().data(), wa = actual.storedWeight().data();
        for (int j = 0; j < present.length; j++) {
            if (!present[j]) continue;
            assertArrayEquals(Arrays.copyOfRange(we, j * hidden, (j + 1) * hidden), Arrays.copyOfRange(wa, j * hidden, (j + 1) * hidden),
                    "row " + j + " " + when);
        }
    }

    @Test
    void badInputIsRefusedWithClearMessages() {
        SparseDense layer = new SparseDense(V, H);
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> layer.backward(Tensor.zeros(1, H)));
        assertTrue(early.getMessage().contains("backward before forward"), early.getMessage());
        IllegalArgumentException cols = assertThrows(IllegalArgumentException.class, () -> layer.forward(new SparseBatch(V + 1, true)));
        assertTrue(cols.getMessage().contains("57 input columns") && cols.getMessage().contains("58"), cols.getMessage());
        SparseBatch x = SparseFixtures.batch(1, 2, V, 40, 5, true);
        layer.forward(x);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> layer.backward(Tensor.zeros(3, H)));
        assertTrue(shape.getMessage().contains("[2, 7]") && shape.getMessage().contains("[3, 7]"), shape.getMessage());
        layer.backward(Tensor.zeros(2, H));
        IllegalArgumentException l1 = assertThrows(IllegalArgumentException.class, () -> layer.step(0.1f, 0f, 0.01f, 0f));
        assertTrue(l1.getMessage().contains("L1"), l1.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class, () -> new SparseDense(500_000, 5_000));
        assertTrue(huge.getMessage().contains("500000 x 5000"), huge.getMessage());
    }

    static boolean[] presentWords(SparseBatch x) {
        boolean[] present = new boolean[x.cols()];
        for (int p = 0; p < x.nonZeros(); p++) present[x.indices()[p]] = true;
        return present;
    }
}
